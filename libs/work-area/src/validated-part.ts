import { InternalError, LakeStateError } from '@ledgerlake/domain';
import type { ValidRow } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore, YearMonth } from '@ledgerlake/storage';

/*
 * What validation leaves for the partition writer for one work part (docs/work-area.md): each
 * row's fate and, for a valid row, the typed values Silver stores — so the writer applies
 * validation's decisions without parsing or checking a row again.
 *
 * Layout (little-endian): the header `LLVP`, u32 format version 1, u32 rows, u32 0; then per row,
 * column by column: `fate` u8 (padded to a multiple of 8 bytes), `id` i64 (TransactionID),
 * `amount` i64 (minor units), `tx` i64 (microseconds since the epoch, UTC), `month` i32
 * (year × 12 + month − 1 of the UTC transaction time). Columns of rows that are not valid hold 0.
 */

/** A row's fate in a validated part. */
export const ROW_FATE = { valid: 0, quarantined: 1, condemned: 2 } as const;
export type RowFate = (typeof ROW_FATE)[keyof typeof ROW_FATE];

/** One work part as validation decided it. */
export interface ValidatedPart {
  readonly rows: number;
  readonly fate: Uint8Array;
  readonly id: BigInt64Array;
  readonly amountMinor: BigInt64Array;
  readonly txMicros: BigInt64Array;
  /** `year × 12 + month − 1` of the UTC transaction time. */
  readonly month: Int32Array;
}

/** The year and month a `month` value of a validated (or enriched) part stands for. */
export function validatedMonth(index: number): YearMonth {
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The `month` value of a validated (or enriched) part for a UTC year and month (1-12): the inverse of `validatedMonth`. */
export function monthIndex(year: number, month: number): number {
  return year * 12 + month - 1;
}

const MAGIC = 0x5056_4c4c; // 'LLVP' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Builds a validated part row by row, in the part's row order. */
export class ValidatedPartBuilder {
  readonly #part: ValidatedPart;
  #next = 0;

  constructor(rows: number) {
    this.#part = {
      rows,
      fate: new Uint8Array(rows),
      id: new BigInt64Array(rows),
      amountMinor: new BigInt64Array(rows),
      txMicros: new BigInt64Array(rows),
      month: new Int32Array(rows),
    };
  }

  valid(row: ValidRow): void {
    const at = this.#take(ROW_FATE.valid);
    const part = this.#part;
    part.id[at] = row.id;
    part.amountMinor[at] = row.amountMinor;
    part.txMicros[at] = row.txMicros;
    part.month[at] = monthIndex(row.year, row.month);
  }

  quarantined(): void {
    this.#take(ROW_FATE.quarantined);
  }

  condemned(): void {
    this.#take(ROW_FATE.condemned);
  }

  /** The part; every row must have been added. */
  build(): ValidatedPart {
    if (this.#next !== this.#part.rows) throw new InternalError(`pipeline: validated part has ${this.#next} of its ${this.#part.rows} rows`);
    return this.#part;
  }

  #take(fate: RowFate): number {
    const at = this.#next++;
    if (at >= this.#part.rows) throw new InternalError(`pipeline: validated part holds ${this.#part.rows} rows, got more`);
    this.#part.fate[at] = fate;
    return at;
  }
}

/** The part's bytes. */
export function encodeValidatedPart(part: ValidatedPart): Uint8Array {
  const n = part.rows;
  const fateBytes = pad8(n);
  const bytes = new Uint8Array(HEADER_BYTES + fateBytes + 3 * 8 * n + 4 * n);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, n, true);
  let at = HEADER_BYTES;
  bytes.set(part.fate, at);
  at += fateBytes;
  for (const column of [part.id, part.amountMinor, part.txMicros, part.month]) {
    bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    at += column.byteLength;
  }
  return bytes;
}

/** Reads a part's bytes; anything else (another format, a cut object) is an error naming `what`. */
export function decodeValidatedPart(bytes: Uint8Array, what: string): ValidatedPart {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== VERSION) {
    throw new LakeStateError(`pipeline: ${what} is not a validated work part`);
  }
  const n = view.getUint32(8, true);
  const fateBytes = pad8(n);
  if (bytes.byteLength !== HEADER_BYTES + fateBytes + 3 * 8 * n + 4 * n) {
    throw new LakeStateError(`pipeline: ${what} has ${bytes.byteLength} bytes, not those of ${n} rows`);
  }
  // One aligned copy: a typed array over a slice of a store's buffer may not start on 8 bytes.
  const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const base = own.byteOffset;
  let at = base + HEADER_BYTES + fateBytes;
  const int64 = () => {
    const column = new BigInt64Array(own.buffer, at, n);
    at += 8 * n;
    return column;
  };
  const fate = new Uint8Array(own.buffer, base + HEADER_BYTES, n);
  const id = int64();
  const amountMinor = int64();
  const txMicros = int64();
  const month = new Int32Array(own.buffer, at, n);
  return { rows: n, fate, id, amountMinor, txMicros, month };
}

export async function writeValidatedPart(store: ObjectStore, ref: ObjectRef, part: ValidatedPart): Promise<void> {
  await store.put(ref, encodeValidatedPart(part), { contentType: 'application/octet-stream' });
}

/** Reads a validated part; a missing one is an error (validation has not run on the part). */
export async function readValidatedPart(store: ObjectStore, ref: ObjectRef): Promise<ValidatedPart> {
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) throw new LakeStateError(`pipeline: validated work part ${ref.bucket}/${ref.key} does not exist`);
  return decodeValidatedPart(bytes, `${ref.bucket}/${ref.key}`);
}
