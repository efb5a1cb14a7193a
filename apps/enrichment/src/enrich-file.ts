import { hash } from 'node:crypto';
import { formatMinor, InvalidInputError, parseAmount, rowHashInput, type RowHashFields } from '@ledgerlake/domain';
import {
  type EnrichmentResult,
  type RunState,
  type WorkArea,
  WorkPartEncoder,
  workPartRef,
  type WorkRow,
  writeEncodedWorkPart,
} from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { streamStoredBytes } from './bronze-bytes';
import { CsvRecordReader, type CsvRecordSink } from './csv-records';
import { type CheckedHeader, checkHeader } from './header';
import { attemptOf, attemptPosition } from './retry-attempts';
import { describeObject, sourceFileId } from './source-file-id';
import { Utf8Check } from './utf8-check';

/** The little of a logger the core uses (Powertools' `Logger` fits). */
export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Tunables of enrichment. */
export interface EnrichmentOptions {
  /** Rows per work part (the unit later functions load at once). */
  readonly rowsPerPart: number;
  /** A record whose fields exceed this many bytes is unparseable (a quote that never closes). */
  readonly maxRecordBytes: number;
}

/** Default tunables: 250,000 rows a part; 1 MiB a record. */
export const DEFAULT_ENRICHMENT_OPTIONS: EnrichmentOptions = { rowsPerPart: 250_000, maxRecordBytes: 1024 * 1024 };

/** What enrichment works with. */
export interface EnrichmentDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly options?: Partial<EnrichmentOptions>;
  readonly logger?: CoreLogger;
}

const NULL_FIELDS: RowHashFields = [null, null, null, null, null];

/** Encodes rows into work parts of at most `rowsPerPart` rows and writes them, one write in flight. */
class WorkPartWriter {
  readonly parts: { part: number; rows: number }[] = [];
  readonly #encoder = new WorkPartEncoder();
  #ready: { part: number; chunks: Buffer[] }[] = [];
  #inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly work: WorkArea,
    private readonly rowsPerPart: number,
  ) {}

  add(row: WorkRow): void {
    this.#encoder.add(row);
    if (this.#encoder.rows === this.rowsPerPart) this.#seal();
  }

  /** Starts writing the parts that are complete, waiting for the previous write first. */
  async flush(): Promise<void> {
    for (let next = this.#ready.shift(); next !== undefined; next = this.#ready.shift()) {
      await this.#inFlight;
      this.#inFlight = writeEncodedWorkPart(this.store, workPartRef(this.work, 'enriched', next.part), next.chunks);
      // The write runs while parsing goes on; a failure surfaces at the next flush or at `close`.
      this.#inFlight.catch(() => undefined);
    }
  }

  /** Writes the last, partial part and waits for every write. */
  async close(): Promise<void> {
    if (this.#encoder.rows > 0) this.#seal();
    await this.flush();
    await this.#inFlight;
  }

  #seal(): void {
    const part = this.parts.length;
    this.parts.push({ part, rows: this.#encoder.rows });
    this.#ready.push({ part, chunks: this.#encoder.take() });
  }
}

/** Turns CSV records into work rows: the header first, then one row per non-blank record. */
class RowBuilder implements CsvRecordSink {
  header: CheckedHeader | undefined;
  headerLine = 0;
  rows = 0;
  whitespaceLines = 0;
  wrongFieldCount = 0;
  unparseableRecords = 0;
  amountMinor = 0n;
  /** Mode `retry`: rows carry their attempt in the file's `attempt_count` column; otherwise every row is attempt 0. */
  retry = false;
  #attemptPosition: number | undefined;

  constructor(
    private readonly file: string,
    private readonly sourceFileId: string,
    private readonly out: WorkPartWriter,
  ) {}

  record(fields: string[], line: number): void {
    // A line of nothing but whitespace is blank, like an empty one: not a row.
    if (fields.length === 1 && (fields[0] as string).trim() === '') {
      this.whitespaceLines++;
      return;
    }
    const header = this.header;
    if (header === undefined) {
      this.header = checkHeader(fields, this.file, line);
      this.headerLine = line;
      return;
    }
    const n = fields.length;
    const [a, b, c, d, e] = header.positions;
    const row: RowHashFields = [
      a < n ? (fields[a] as string).trim() : null,
      b < n ? (fields[b] as string).trim() : null,
      c < n ? (fields[c] as string).trim() : null,
      d < n ? (fields[d] as string).trim() : null,
      e < n ? (fields[e] as string).trim() : null,
    ];
    const width = header.names.length;
    let schemaProblem: string | null = null;
    if (n !== width) {
      this.wrongFieldCount++;
      schemaProblem = `record has ${n} field${n === 1 ? '' : 's'}; the header has ${width}`;
    }
    const amount = row[2];
    if (amount !== null) {
      const parsed = parseAmount(amount);
      if (parsed.ok) this.amountMinor += parsed.minor;
    }
    this.#add(row, line, schemaProblem, this.#attempt(header, fields, line));
  }

  #attempt(header: CheckedHeader, fields: readonly string[], line: number): number {
    if (!this.retry) return 0;
    this.#attemptPosition ??= attemptPosition(header, this.file, this.headerLine);
    return attemptOf(fields, this.#attemptPosition, this.file, line);
  }

  unparseable(line: number, problem: string, text: string): void {
    if (this.header === undefined) {
      throw new InvalidInputError(this.file, `has a header row that cannot be parsed: ${problem}`, { line });
    }
    this.unparseableRecords++;
    this.#add(NULL_FIELDS, line, `unparseable record: ${problem}; the line reads ${JSON.stringify(text)}`, 0);
  }

  #add(fields: RowHashFields, line: number, schemaProblem: string | null, attemptCount: number): void {
    this.rows++;
    this.out.add({
      sourceFileId: this.sourceFileId,
      sourceLine: line,
      attemptCount,
      rowHash: hash('sha256', rowHashInput(fields), 'hex'),
      fields,
      schemaProblem,
    });
  }
}

/**
 * Enrichment: streams the run's Bronze object once — hashing its stored bytes, gunzipping,
 * checking UTF-8, parsing CSV — checks the header, and writes every row, with its lineage
 * (`row_hash`, `source_file_id`, `source_line`, `attempt_count` 0), to the run's work area in
 * parts of at most `rowsPerPart` rows.
 *
 * Throws `InvalidInputError` when the object is missing, replaced, empty, not UTF-8, corrupt gzip
 * or has no usable header, and `MissingColumnsError` when required columns are missing; nothing
 * is then written outside the work area. Storage errors propagate (transient ones are retryable).
 */
export async function enrichFile(state: RunState, deps: EnrichmentDeps): Promise<EnrichmentResult> {
  const { store, layout, logger } = deps;
  const options = { ...DEFAULT_ENRICHMENT_OPTIONS, ...deps.options };
  const { run } = state;
  const { bucket, key } = run.source;
  const file = describeObject(bucket, key);
  const ref = { bucket, key };

  const meta = await store.head(ref);
  if (meta === undefined) throw new InvalidInputError(file, 'does not exist');
  if (run.source.version_id !== undefined && meta.versionId !== undefined && meta.versionId !== run.source.version_id) {
    throw new InvalidInputError(
      file,
      `was replaced after the run started (version ${meta.versionId} found, ${run.source.version_id} expected); Bronze objects are immutable`,
    );
  }
  // S3 events carry the ETag unquoted, HeadObject quoted: compare without quotes.
  const unquote = (etag: string): string => etag.replace(/"/g, '');
  if (run.source.etag !== undefined && run.source.version_id === undefined && unquote(meta.etag) !== unquote(run.source.etag)) {
    throw new InvalidInputError(
      file,
      `was replaced after the run started (ETag ${meta.etag} found, ${run.source.etag} expected); Bronze objects are immutable`,
    );
  }
  const id = sourceFileId({
    bucket,
    key,
    version_id: run.source.version_id ?? meta.versionId,
    etag: run.source.etag ?? meta.etag,
  });
  const stream = await store.getStream(ref);
  if (stream === undefined) throw new InvalidInputError(file, 'does not exist');

  const workPrefix = layout.artifacts.workPrefix(run.run_id);
  const work: WorkArea = { bucket: workPrefix.bucket, prefix: workPrefix.prefix };
  const out = new WorkPartWriter(store, work, options.rowsPerPart);
  const rows = new RowBuilder(file, id, out);
  rows.retry = run.mode === 'retry';
  const reader = new CsvRecordReader(rows, { maxRecordBytes: options.maxRecordBytes });
  const utf8 = new Utf8Check();
  const notUtf8 = (problem: { offset: number; line: number }): InvalidInputError =>
    new InvalidInputError(file, `is not valid UTF-8 (invalid byte sequence at byte ${problem.offset})`, {
      line: problem.line,
    });

  const stored = await streamStoredBytes(stream, key, file, async (chunk) => {
    const problem = utf8.check(chunk);
    if (problem !== undefined) throw notUtf8(problem);
    reader.write(chunk);
    await out.flush();
  });
  const tail = utf8.end();
  if (tail !== undefined) throw notUtf8(tail);
  reader.end();
  const header = rows.header;
  if (header === undefined) {
    throw new InvalidInputError(
      file,
      stored.bytesRead === 0 ? 'is empty (0 bytes); a header row is required' : 'has no header row (only blank lines)',
    );
  }
  await out.close();

  if (header.extra.length > 0) logger?.warn('extra columns ignored', { extra_columns: header.extra });
  logger?.info('bronze file enriched', {
    source_file_id: id,
    gzip: stored.gzip,
    bytes_read: stored.bytesRead,
    header_line: rows.headerLine,
    input_rows: rows.rows,
    whitespace_only_lines: rows.whitespaceLines,
    wrong_field_count_rows: rows.wrongFieldCount,
    unparseable_records: rows.unparseableRecords,
    parts: out.parts.length,
  });
  return {
    source_file_id: id,
    content_sha256: stored.contentSha256,
    bytes_read: stored.bytesRead,
    header: [...header.names],
    extra_columns: [...header.extra],
    input_rows: rows.rows,
    input_amount: formatMinor(rows.amountMinor),
    work,
    parts: out.parts,
  };
}
