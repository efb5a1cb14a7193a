import { type ColumnRole, InternalError, LakeStateError, parseAmount, parseInt64, parseTimestamp, type RowFields } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { monthIndex } from './validated-part';

/*
 * The enriched work part (docs/work-area.md): what enrichment writes for each part of a run and
 * loop prevention, validation and the partition writer read. Typed and columnar, so that each
 * reader takes only the columns it needs and parses no text: the three typed fields (the id,
 * amount and timestamp roles, dataset-spec.ts: whatever the dataset names them) are parsed once, here, as the
 * part is built, and travel as their values — or as "does not parse", whose reason a reader that
 * needs it (validation's detail of a rejected row) asks the parser for again.
 *
 * Layout (little-endian), every column starting on 8 bytes:
 *   header       "LLEP" (u32), u32 version 1, u32 rows n, u32 distinct source_file_id values k
 *   id           i64 × n    the id, where it parses
 *   amount       i64 × n    the amount in minor units, where it parses
 *   tx           i64 × n    the timestamp, microseconds since the epoch (UTC), where it parses
 *   line         u32 × n    source_line
 *   attempt      u32 × n    attempt_count
 *   month        i32 × n    year × 12 + month − 1 of the UTC transaction time, where it parses
 *   flags        u8 × n     bits 0-4: the field of role k (`COLUMN_ROLES` order) is absent (null); bit 5: the record has a schema
 *                           problem; bit 6: id parses; bit 7 is unused
 *   parsed       u8 × n     bit 0: amount parses; bit 1: timestamp parses
 *   row_hash     32 × n     the SHA-256 (readers see it as 64 hex digits)
 *   file         u32 × n    the row's source_file_id, as an index into the file ids below
 *   then 7 text columns — the k source_file_id values, then per row the five fields (in
 *   `COLUMN_ROLES` order) and
 *   schema_problem — each of m values (m = k, then n):
 *                u32 × m    end of each value, in UTF-16 code units of the column's text
 *                u32        byte length b of the column's UTF-8 text, u32 0
 *                b bytes    the text (every value of the column, concatenated)
 * A null text value is empty. Values are well-formed Unicode (enrichment checks the file is
 * UTF-8), so a column's text decodes to exactly its last end in code units; a part whose sizes
 * do not match its header is refused.
 */

/** One enriched input row: what the row-pipeline functions pass on through the work area. */
export interface WorkRow {
  /** Stable id of the Bronze object the row came from. */
  readonly sourceFileId: string;
  /** 1-based line of the source file the record starts on. */
  readonly sourceLine: number;
  /** 0 for a fresh row; +1 for each retry out of quarantine. */
  readonly attemptCount: number;
  /** SHA-256 hex of the five trimmed source fields. */
  readonly rowHash: string;
  /** The five input fields by role, trimmed; null where the record has no such field. */
  readonly fields: RowFields;
  /** Set when the record has the wrong number of fields or cannot be parsed: what is wrong. */
  readonly schemaProblem: string | null;
}

const MAGIC = 0x5045_4c4c; // 'LLEP' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;
const HASH_BYTES = 32;
const FIELDS = 5;
/** Text columns: the source_file_id values, the five fields, schema_problem. */
const TEXT_COLUMNS = 7;
const FIELD_ABSENT = (k: number): number => 1 << k;
/** Each role's field column, its place in `COLUMN_ROLES`. */
const FIELD_COLUMN: { readonly [role in ColumnRole]: number } = { id: 0, account: 1, amount: 2, currency: 3, timestamp: 4 };
const HAS_SCHEMA_PROBLEM = 1 << 5;
const ID_PARSES = 1 << 6;
const AMOUNT_PARSES = 1;
const TIMESTAMP_PARSES = 2;
/** Encoded text is turned into bytes in pieces of about this many UTF-16 units. */
const FLUSH_CHARS = 64 * 1024;
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Bytes of the fixed-width columns of `n` rows (everything but the text columns). */
function fixedBytes(n: number): number {
  return HEADER_BYTES + 3 * 8 * n + pad8(3 * 4 * n) + pad8(2 * n) + HASH_BYTES * n + pad8(4 * n);
}

/** Rows the typed columns of a part being built hold at first; they double as rows come. */
const FIRST_ROWS = 16 * 1024;

/** A copy of `column` with room for `rows` rows. */
function grown<T extends BigInt64Array | Uint32Array | Int32Array | Uint8Array>(column: T, rows: number): T {
  const larger = new (column.constructor as new (length: number) => T)(rows);
  larger.set(column as never);
  return larger;
}

/** One text column being built: its values' ends, and its text turned into bytes piece by piece. */
class TextColumn {
  ends: Uint32Array;
  #text = '';
  #chars = 0;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(rows: number) {
    this.ends = new Uint32Array(rows);
  }

  add(at: number, value: string): void {
    this.#chars += value.length;
    this.ends[at] = this.#chars;
    this.#text += value;
    if (this.#text.length >= FLUSH_CHARS) this.#flush();
  }

  /** The column's encoded bytes, as chunks; `rows` values were added. */
  take(rows: number): Buffer[] {
    this.#flush();
    const ends = Buffer.from(this.ends.buffer, this.ends.byteOffset, 4 * rows);
    const head = Buffer.alloc(pad8(4 * rows) - 4 * rows + 8);
    head.writeUInt32LE(this.#bytes, head.length - 8);
    return [ends, head, ...this.#chunks, Buffer.alloc(pad8(this.#bytes) - this.#bytes)];
  }

  #flush(): void {
    if (this.#text.length === 0) return;
    const chunk = Buffer.from(this.#text, 'utf8');
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    this.#text = '';
  }
}

/** Adds a field's text to its column; the flag bit saying it is absent, or 0. */
function addField(text: readonly TextColumn[], at: number, k: number, value: string | null): number {
  (text[k] as TextColumn).add(at, value ?? '');
  return value === null ? FIELD_ABSENT(k) : 0;
}

/**
 * Builds one enriched part row by row, for writers of up to `capacity` rows (a part's limit):
 * the typed fields are parsed as rows are added, into typed columns that grow as needed; text
 * goes out of the JS heap in pieces as it comes (the garbage collector never sees a part's worth
 * of live row strings); `take` hands the part's bytes over as chunks, never copied into one buffer.
 */
export class EnrichedPartEncoder {
  readonly #capacity: number;
  #rows = 0;
  /** Sum of the amounts that parse, over every row ever added (minor units). */
  #amountMinor = 0n;
  #id!: BigInt64Array;
  #amount!: BigInt64Array;
  #tx!: BigInt64Array;
  #line!: Uint32Array;
  #attempt!: Uint32Array;
  #month!: Int32Array;
  #flags!: Uint8Array;
  #parsed!: Uint8Array;
  #hash!: Buffer;
  #file!: Uint32Array;
  /** The part's distinct source_file_id values, by index; most parts have one. */
  #fileIds: string[] = [];
  readonly #fileIndex = new Map<string, number>();
  #text!: TextColumn[];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InternalError(`pipeline: an enriched part holds at least one row, not ${capacity}`);
    this.#capacity = capacity;
    this.#reset();
  }

  /** Rows added since the last `take`. */
  get rows(): number {
    return this.#rows;
  }

  /** The sum, in minor units, of every added row's amount that parses (the input side of the reconciliation). */
  get amountMinor(): bigint {
    return this.#amountMinor;
  }

  /** Appends one row. */
  add(row: WorkRow): void {
    const at = this.#rows;
    if (at === this.#capacity) throw new InternalError(`pipeline: an enriched part holds at most ${this.#capacity} rows`);
    if (at === this.#line.length) this.#grow(Math.min(this.#capacity, 2 * at));
    this.#rows++;
    const { fields } = row;
    const { id, amount, timestamp } = fields;
    let flags = row.schemaProblem === null ? 0 : HAS_SCHEMA_PROBLEM;
    let parsed = 0;
    if (id !== null) {
      const value = parseInt64(id);
      if (value.ok) {
        this.#id[at] = value.value;
        flags |= ID_PARSES;
      }
    }
    if (amount !== null) {
      const value = parseAmount(amount);
      if (value.ok) {
        this.#amount[at] = value.minor;
        this.#amountMinor += value.minor;
        parsed |= AMOUNT_PARSES;
      }
    }
    if (timestamp !== null) {
      const value = parseTimestamp(timestamp);
      if (value.ok) {
        this.#tx[at] = value.epochMicros;
        this.#month[at] = monthIndex(value.year, value.month);
        parsed |= TIMESTAMP_PARSES;
      }
    }
    const text = this.#text;
    flags |= addField(text, at, FIELD_COLUMN.id, id);
    flags |= addField(text, at, FIELD_COLUMN.account, fields.account);
    flags |= addField(text, at, FIELD_COLUMN.amount, amount);
    flags |= addField(text, at, FIELD_COLUMN.currency, fields.currency);
    flags |= addField(text, at, FIELD_COLUMN.timestamp, timestamp);
    text[FIELDS]?.add(at, row.schemaProblem ?? '');
    let file = this.#fileIndex.get(row.sourceFileId);
    if (file === undefined) {
      file = this.#fileIds.push(row.sourceFileId) - 1;
      this.#fileIndex.set(row.sourceFileId, file);
    }
    this.#file[at] = file;
    this.#flags[at] = flags;
    this.#parsed[at] = parsed;
    this.#line[at] = row.sourceLine;
    this.#attempt[at] = row.attemptCount;
    if (row.rowHash.length !== 2 * HASH_BYTES || this.#hash.write(row.rowHash, at * HASH_BYTES, HASH_BYTES, 'hex') !== HASH_BYTES) {
      throw new InternalError(`pipeline: row_hash ${JSON.stringify(row.rowHash)} is not 64 hex digits`);
    }
  }

  /** The part's bytes, in chunks; the encoder is empty afterwards (its amount sum carries on). */
  take(): Buffer[] {
    const n = this.#rows;
    const fileIds = new TextColumn(this.#fileIds.length);
    this.#fileIds.forEach((id, index) => fileIds.add(index, id));
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(VERSION, 4);
    header.writeUInt32LE(n, 8);
    header.writeUInt32LE(this.#fileIds.length, 12);
    const bytesOf = (column: BigInt64Array | Uint32Array | Int32Array | Uint8Array, width: number) =>
      Buffer.from(column.buffer, column.byteOffset, width * n);
    const zeros = (used: number) => Buffer.alloc(pad8(used) - used);
    const chunks = [
      header,
      bytesOf(this.#id, 8),
      bytesOf(this.#amount, 8),
      bytesOf(this.#tx, 8),
      bytesOf(this.#line, 4),
      bytesOf(this.#attempt, 4),
      bytesOf(this.#month, 4),
      zeros(12 * n),
      bytesOf(this.#flags, 1),
      bytesOf(this.#parsed, 1),
      zeros(2 * n),
      this.#hash.subarray(0, HASH_BYTES * n),
      bytesOf(this.#file, 4),
      zeros(4 * n),
      ...fileIds.take(this.#fileIds.length),
      ...this.#text.flatMap((column) => column.take(n)),
    ];
    this.#reset();
    return chunks;
  }

  #grow(rows: number): void {
    this.#id = grown(this.#id, rows);
    this.#amount = grown(this.#amount, rows);
    this.#tx = grown(this.#tx, rows);
    this.#line = grown(this.#line, rows);
    this.#attempt = grown(this.#attempt, rows);
    this.#month = grown(this.#month, rows);
    this.#flags = grown(this.#flags, rows);
    this.#parsed = grown(this.#parsed, rows);
    this.#file = grown(this.#file, rows);
    const hash = Buffer.alloc(HASH_BYTES * rows);
    this.#hash.copy(hash);
    this.#hash = hash;
    for (const column of this.#text) column.ends = grown(column.ends, rows);
  }

  #reset(): void {
    const n = Math.min(this.#capacity, FIRST_ROWS);
    this.#rows = 0;
    this.#id = new BigInt64Array(n);
    this.#amount = new BigInt64Array(n);
    this.#tx = new BigInt64Array(n);
    this.#line = new Uint32Array(n);
    this.#attempt = new Uint32Array(n);
    this.#month = new Int32Array(n);
    this.#flags = new Uint8Array(n);
    this.#parsed = new Uint8Array(n);
    this.#hash = Buffer.alloc(HASH_BYTES * n);
    this.#file = new Uint32Array(n);
    this.#fileIds = [];
    this.#fileIndex.clear();
    this.#text = Array.from({ length: TEXT_COLUMNS - 1 }, () => new TextColumn(n));
  }
}

/** A text column of a read part: each value sliced out of the column's decoded text. */
class TextValues {
  #text: string | undefined;

  constructor(
    private readonly ends: Uint32Array,
    private readonly bytes: Uint8Array,
    readonly what: string,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  get(row: number): string {
    const text = (this.#text ??= this.#decode());
    return text.slice(row === 0 ? 0 : (this.ends[row - 1] as number), this.ends[row]);
  }

  #decode(): string {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(this.bytes);
    const n = this.ends.length;
    if (text.length !== (n === 0 ? 0 : this.ends[n - 1])) throw new LakeStateError(`pipeline: ${this.what}: a text column does not match its value ends`);
    return text;
  }
}

/** One enriched part as read: typed columns, and text columns decoded when first asked for. */
export class EnrichedPart {
  readonly #flags: Uint8Array;
  readonly #parsed: Uint8Array;
  readonly #hashes: Buffer;
  readonly #file: Uint32Array;
  readonly #fileIds: readonly string[];
  readonly #text: readonly TextValues[];

  constructor(
    readonly rows: number,
    /** The id where `idParses(row)`. */
    readonly id: BigInt64Array,
    /** The amount in minor units where `amountParses(row)`. */
    readonly amountMinor: BigInt64Array,
    /** The timestamp in microseconds since the epoch (UTC) where `timestampParses(row)`. */
    readonly txMicros: BigInt64Array,
    readonly sourceLine: Uint32Array,
    readonly attemptCount: Uint32Array,
    /** `year × 12 + month − 1` of the UTC transaction time where `timestampParses(row)` (as the validated part's `month`). */
    readonly month: Int32Array,
    columns: { flags: Uint8Array; parsed: Uint8Array; hashes: Uint8Array; file: Uint32Array; fileIds: TextValues; text: readonly TextValues[] },
  ) {
    this.#flags = columns.flags;
    this.#parsed = columns.parsed;
    this.#hashes = Buffer.from(columns.hashes.buffer, columns.hashes.byteOffset, columns.hashes.byteLength);
    this.#file = columns.file;
    this.#fileIds = Array.from({ length: columns.fileIds.length }, (_, index) => columns.fileIds.get(index));
    if (this.#file.some((file) => file >= this.#fileIds.length)) throw new LakeStateError(`pipeline: ${columns.fileIds.what}: a row names a source file id it does not hold`);
    this.#text = columns.text;
  }

  idParses(row: number): boolean {
    return ((this.#flags[row] as number) & ID_PARSES) !== 0;
  }

  amountParses(row: number): boolean {
    return ((this.#parsed[row] as number) & AMOUNT_PARSES) !== 0;
  }

  timestampParses(row: number): boolean {
    return ((this.#parsed[row] as number) & TIMESTAMP_PARSES) !== 0;
  }

  /** The row's amount in minor units where it parses (whatever else is wrong with the row), else undefined: what every stage's reconciliation sums. */
  amountOf(row: number): bigint | undefined {
    return this.amountParses(row) ? (this.amountMinor[row] as bigint) : undefined;
  }

  hasSchemaProblem(row: number): boolean {
    return ((this.#flags[row] as number) & HAS_SCHEMA_PROBLEM) !== 0;
  }

  rowHash(row: number): string {
    return this.#hashes.toString('hex', row * HASH_BYTES, (row + 1) * HASH_BYTES);
  }

  /** The row's source_file_id: one string per distinct id of the part, the same for each of its rows. */
  sourceFileId(row: number): string {
    return this.#fileIds[this.#file[row] as number] as string;
  }

  /** The row's field of `role`, trimmed; null where the record has no such field. */
  field(row: number, role: ColumnRole): string | null {
    return this.#fieldAt(row, FIELD_COLUMN[role]);
  }

  /** The row's five fields by role. */
  fields(row: number): RowFields {
    return {
      id: this.#fieldAt(row, FIELD_COLUMN.id),
      account: this.#fieldAt(row, FIELD_COLUMN.account),
      amount: this.#fieldAt(row, FIELD_COLUMN.amount),
      currency: this.#fieldAt(row, FIELD_COLUMN.currency),
      timestamp: this.#fieldAt(row, FIELD_COLUMN.timestamp),
    };
  }

  /** The field in text column `k` (its role's place, `FIELD_COLUMN`). */
  #fieldAt(row: number, k: number): string | null {
    if (((this.#flags[row] as number) & FIELD_ABSENT(k)) !== 0) return null;
    return (this.#text[k] as TextValues).get(row);
  }

  schemaProblem(row: number): string | null {
    return this.hasSchemaProblem(row) ? (this.#text[FIELDS] as TextValues).get(row) : null;
  }

  /** The whole row, as it was added (for tests and tools: the functions read the columns they need). */
  workRow(row: number): WorkRow {
    return {
      sourceFileId: this.sourceFileId(row),
      sourceLine: this.sourceLine[row] as number,
      attemptCount: this.attemptCount[row] as number,
      rowHash: this.rowHash(row),
      fields: this.fields(row),
      schemaProblem: this.schemaProblem(row),
    };
  }

  /** Every row, as added. */
  workRows(): WorkRow[] {
    return Array.from({ length: this.rows }, (_, row) => this.workRow(row));
  }
}

/** Reads a part's bytes; anything else (another format, a cut object) is an error naming `what`. */
export function decodeEnrichedPart(bytes: Uint8Array, what: string): EnrichedPart {
  const refuse = (problem: string): never => {
    throw new LakeStateError(`pipeline: ${what} ${problem}`);
  };
  // One aligned copy: a typed array over a slice of a store's buffer may not start on 8 bytes.
  const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const view = new DataView(own.buffer, own.byteOffset, own.byteLength);
  if (own.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== VERSION) {
    refuse('is not an enriched work part');
  }
  const n = view.getUint32(8, true);
  if (own.byteLength < fixedBytes(n)) refuse(`has ${own.byteLength} bytes, too few for ${n} rows`);
  let at = own.byteOffset + HEADER_BYTES;
  const take = <T>(make: (buffer: ArrayBufferLike, offset: number, length: number) => T, width: number, length = n): T => {
    const column = make(own.buffer, at, length);
    at += width * length;
    return column;
  };
  const int64 = () => take((b, o, l) => new BigInt64Array(b, o, l), 8);
  const id = int64();
  const amountMinor = int64();
  const txMicros = int64();
  const sourceLine = take((b, o, l) => new Uint32Array(b, o, l), 4);
  const attemptCount = take((b, o, l) => new Uint32Array(b, o, l), 4);
  const month = take((b, o, l) => new Int32Array(b, o, l), 4);
  at += pad8(12 * n) - 12 * n;
  const flags = take((b, o, l) => new Uint8Array(b, o, l), 1);
  const parsed = take((b, o, l) => new Uint8Array(b, o, l), 1);
  at += pad8(2 * n) - 2 * n;
  const hashes = take((b, o, l) => new Uint8Array(b, o, l), 1, HASH_BYTES * n);
  const file = take((b, o, l) => new Uint32Array(b, o, l), 4);
  at += pad8(4 * n) - 4 * n;
  const k = view.getUint32(12, true);
  const end = own.byteOffset + own.byteLength;
  const text: TextValues[] = [];
  for (let column = 0; column < TEXT_COLUMNS; column++) {
    const m = column === 0 ? k : n;
    if (at + pad8(4 * m) + 8 > end) refuse(`is cut short in text column ${column}`);
    const ends = take((b, o, l) => new Uint32Array(b, o, l), 4, m);
    at += pad8(4 * m) - 4 * m;
    const length = new DataView(own.buffer, at, 8).getUint32(0, true);
    at += 8;
    if (at + length > end) refuse(`is cut short in text column ${column}`);
    text.push(new TextValues(ends, take((b, o, l) => new Uint8Array(b, o, l), 1, length), what));
    at += pad8(length) - length;
  }
  if (at !== end) refuse(`has ${end - at} bytes past its last column`);
  const [fileIds, ...values] = text as [TextValues, ...TextValues[]];
  return new EnrichedPart(n, id, amountMinor, txMicros, sourceLine, attemptCount, month, { flags, parsed, hashes, file, fileIds, text: values });
}

/** Writes an enriched part built with `EnrichedPartEncoder` (streamed: the chunks are not copied into one buffer). */
export async function writeEncodedEnrichedPart(store: ObjectStore, ref: ObjectRef, chunks: readonly Uint8Array[]): Promise<void> {
  async function* body(): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  await store.putStream(ref, body(), { contentType: 'application/octet-stream' });
}

/** Writes one enriched part of `rows` (tests, tools, small parts). */
export async function writeEnrichedPart(store: ObjectStore, ref: ObjectRef, rows: readonly WorkRow[]): Promise<void> {
  const encoder = new EnrichedPartEncoder(Math.max(1, rows.length));
  for (const row of rows) encoder.add(row);
  await writeEncodedEnrichedPart(store, ref, encoder.take());
}

/** Reads one enriched part; a missing one is an error (enrichment writes every part it reports). */
export async function readEnrichedPart(store: ObjectStore, ref: ObjectRef): Promise<EnrichedPart> {
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) throw new LakeStateError(`pipeline: work file ${ref.bucket}/${ref.key} is missing`);
  return decodeEnrichedPart(bytes, `enriched work part ${ref.bucket}/${ref.key}`);
}
