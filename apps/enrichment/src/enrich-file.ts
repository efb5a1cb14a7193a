import { hash } from 'node:crypto';
import { type DatasetSpec, formatMinor, InternalError, InvalidInputError, LakeStateError, type RowFields, rowHashInput } from '@ledgerlake/domain';
import {
  type Chunk,
  type ChunkEnrichment,
  type ChunkPlan,
  ChunkSchema,
  type EnrichmentResult,
  type MapRunResults,
  type RunState,
} from '@ledgerlake/contract';
import {
  EnrichedPartEncoder,
  mapResultsPrefix,
  readMapItems,
  readMapResults,
  type WorkArea,
  workManifestRef,
  workPartRef,
  type WorkRow,
  writeEncodedEnrichedPart,
  writeMapItems,
  writePartManifest,
} from '@ledgerlake/work-area';
import type { LakeLayout, ObjectMeta, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { streamStoredBytes } from './bronze-bytes';
import { CsvRecordReader, type CsvRecordSink } from './csv-records';
import { type CheckedHeader, checkHeader } from './header';
import { attemptOf, attemptPosition } from './retry-attempts';
import { RecordBoundaryScanner } from './record-boundaries';
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
  /** Target size of a chunk of the (uncompressed) file: chunks are cut at the first record end past it. */
  readonly chunkBytes: number;
  /** Child executions each Distributed Map of the run runs at once (`$.plan.map_concurrency`). */
  readonly mapConcurrency: number;
}

/**
 * Default tunables: 250,000 rows a part; 1 MiB a record; chunks of 64 MiB (about 900,000 rows of
 * 70 bytes: a few seconds of work each, and at most 1000 chunks up to 64 GB); 40 Map children at
 * once (each a Lambda invocation: well inside an account's default concurrency of 1,000).
 */
export const DEFAULT_ENRICHMENT_OPTIONS: EnrichmentOptions = {
  rowsPerPart: 250_000,
  maxRecordBytes: 1024 * 1024,
  chunkBytes: 64 * 1024 * 1024,
  mapConcurrency: 40,
};

/** Parts one chunk may write: part numbers are `chunk * 100 + n`, so chunk results never collide. */
const PARTS_PER_CHUNK = 100;
/** Chunks of one file (part numbers stay below 100,000). */
const MAX_CHUNKS = 1000;

/** What enrichment works with. */
export interface EnrichmentDeps {
  readonly store: ObjectStore;
  /** The layout of the run's dataset (`runLayout`): its columns are `layout.dataset`'s. */
  readonly layout: LakeLayout;
  readonly options?: Partial<EnrichmentOptions>;
  readonly logger?: CoreLogger;
}

const NULL_FIELDS: RowFields = { id: null, account: null, amount: null, currency: null, timestamp: null };

/** Encodes rows into enriched work parts of at most `rowsPerPart` rows and writes them, one write in flight. */
class WorkPartWriter {
  readonly parts: { part: number; rows: number }[] = [];
  #next = 0;
  readonly #encoder: EnrichedPartEncoder;
  #ready: { part: number; chunks: Buffer[] }[] = [];
  #inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly work: WorkArea,
    private readonly rowsPerPart: number,
    private readonly firstPart = 0,
  ) {
    this.#encoder = new EnrichedPartEncoder(rowsPerPart);
  }

  /** The sum of the added rows' amounts that parse, in minor units: parsed once, as the part is built. */
  get amountMinor(): bigint {
    return this.#encoder.amountMinor;
  }

  add(row: WorkRow): void {
    this.#encoder.add(row);
    if (this.#encoder.rows === this.rowsPerPart) this.#seal();
  }

  /** Starts writing the parts that are complete, waiting for the previous write first. */
  async flush(): Promise<void> {
    for (let next = this.#ready.shift(); next !== undefined; next = this.#ready.shift()) {
      await this.#inFlight;
      this.#inFlight = writeEncodedEnrichedPart(this.store, workPartRef(this.work, 'enriched', next.part), next.chunks);
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
    if (this.#next === PARTS_PER_CHUNK) {
      throw new InternalError(`enrichment: a chunk may write at most ${PARTS_PER_CHUNK} work parts; lower chunkBytes or raise rowsPerPart`);
    }
    const part = this.firstPart + this.#next++;
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
  /** Mode `retry`: rows carry their attempt in the file's `attempt_count` column; otherwise every row is attempt 0. */
  retry = false;
  #attemptPosition: number | undefined;
  // Where each role's field is in a record: resolved once per file, from the header.
  #id = 0;
  #account = 0;
  #amount = 0;
  #currency = 0;
  #timestamp = 0;

  constructor(
    private readonly file: string,
    private readonly sourceFileId: string,
    private readonly out: WorkPartWriter,
    private readonly dataset: DatasetSpec,
    /** The header found by planning, and its line (skipped where the chunk holds it). */
    preset?: { readonly header: CheckedHeader; readonly line: number },
  ) {
    this.headerLine = preset?.line ?? 0;
    if (preset !== undefined) this.#setHeader(preset.header);
  }

  #setHeader(header: CheckedHeader): void {
    this.header = header;
    ({ id: this.#id, account: this.#account, amount: this.#amount, currency: this.#currency, timestamp: this.#timestamp } = header.positions);
  }

  record(fields: string[], line: number): void {
    // A line of nothing but whitespace is blank, like an empty one: not a row.
    if (fields.length === 1 && (fields[0] as string).trim() === '') {
      this.whitespaceLines++;
      return;
    }
    const header = this.header;
    if (line === this.headerLine) return;
    if (header === undefined) {
      this.#setHeader(checkHeader(fields, this.file, line, this.dataset));
      this.headerLine = line;
      return;
    }
    const n = fields.length;
    const id = this.#id;
    const account = this.#account;
    const amount = this.#amount;
    const currency = this.#currency;
    const timestamp = this.#timestamp;
    const row: RowFields = {
      id: id < n ? (fields[id] as string).trim() : null,
      account: account < n ? (fields[account] as string).trim() : null,
      amount: amount < n ? (fields[amount] as string).trim() : null,
      currency: currency < n ? (fields[currency] as string).trim() : null,
      timestamp: timestamp < n ? (fields[timestamp] as string).trim() : null,
    };
    const width = header.names.length;
    let schemaProblem: string | null = null;
    if (n !== width) {
      this.wrongFieldCount++;
      schemaProblem = `record has ${n} field${n === 1 ? '' : 's'}; the header has ${width}`;
    }
    this.#add(row, line, schemaProblem, this.#attempt(header, fields, line));
  }

  #attempt(header: CheckedHeader, fields: readonly string[], line: number): number {
    if (!this.retry) return 0;
    this.#attemptPosition ??= attemptPosition(header, this.file, this.headerLine);
    return attemptOf(fields, this.#attemptPosition, this.file, line);
  }

  unparseable(line: number, problem: string, text: string, rawHash: string): void {
    if (this.header === undefined) {
      throw new InvalidInputError(this.file, `has a header row that cannot be parsed: ${problem}`, { line });
    }
    this.unparseableRecords++;
    this.#add(NULL_FIELDS, line, `unparseable record: ${problem}; it starts ${JSON.stringify(text)}`, 0, rawHash);
  }

  /** Adds a row; its `row_hash` is that of its five fields, or `rawHash` for a record without fields. */
  #add(fields: RowFields, line: number, schemaProblem: string | null, attemptCount: number, rawHash?: string): void {
    this.rows++;
    this.out.add({
      sourceFileId: this.sourceFileId,
      sourceLine: line,
      attemptCount,
      rowHash: rawHash ?? hash('sha256', rowHashInput(fields), 'hex'),
      fields,
      schemaProblem,
    });
  }
}

/** The run's Bronze object, checked against what the run was started for. */
async function openSource(run: RunState['run'], store: ObjectStore): Promise<{ file: string; id: string; meta: ObjectMeta }> {
  const { bucket, key } = run.source;
  const file = describeObject(bucket, key);
  const meta = await store.head({ bucket, key });
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
  const id = sourceFileId({ bucket, key, version_id: run.source.version_id ?? meta.versionId, etag: run.source.etag ?? meta.etag });
  return { file, id, meta };
}

/** Captures the header record (the first non-blank record) while planning. */
class HeaderSink implements CsvRecordSink {
  fields: string[] | undefined;
  line = 0;
  constructor(private readonly file: string) {}

  record(fields: string[], line: number): void {
    if (this.fields !== undefined || (fields.length === 1 && (fields[0] as string).trim() === '')) return;
    this.fields = fields;
    this.line = line;
  }

  unparseable(line: number, problem: string): void {
    if (this.fields === undefined) {
      throw new InvalidInputError(this.file, `has a header row that cannot be parsed: ${problem}`, { line });
    }
  }
}

/**
 * Planning (docs/contract/orchestration.md, "Large inputs"): streams the run's Bronze object once — hashing its
 * stored bytes, gunzipping, checking UTF-8 — reads and checks its header (a file missing a
 * required column fails here, before any work), and cuts it into chunks of about `chunkBytes` on
 * record boundaries (`RecordBoundaryScanner`: quoted newlines never split a record). A plain file's
 * chunks are byte ranges of the object itself; a gzip stream cannot be entered mid-way, so its
 * chunks are written, uncompressed, to the run's work area (`work/chunks/`) as planning reads it.
 *
 * Throws `InvalidInputError` when the object is missing, replaced, empty, not UTF-8, corrupt gzip
 * or has no usable header, and `MissingColumnsError` when required columns are missing.
 */
export async function planChunks(state: RunState, deps: EnrichmentDeps): Promise<ChunkPlan> {
  const { store, layout, logger } = deps;
  const options = { ...DEFAULT_ENRICHMENT_OPTIONS, ...deps.options };
  const { run } = state;
  const { file, id } = await openSource(run, store);
  const stream = await store.getStream(run.source);
  if (stream === undefined) throw new InvalidInputError(file, 'does not exist');
  const workPrefix = layout.artifacts.workPrefix(run.run_id);
  const work: WorkArea = { bucket: workPrefix.bucket, prefix: workPrefix.prefix };

  const headerSink = new HeaderSink(file);
  const headerReader = new CsvRecordReader(headerSink, { maxRecordBytes: options.maxRecordBytes });
  const scanner = new RecordBoundaryScanner();
  const utf8 = new Utf8Check();
  const notUtf8 = (problem: { offset: number; line: number }): InvalidInputError =>
    new InvalidInputError(file, `is not valid UTF-8 (invalid byte sequence at byte ${problem.offset})`, { line: problem.line });
  const cuts: { offset: number; line: number }[] = [{ offset: 0, line: 1 }];
  let pending: Buffer[] = [];
  let pendingStart = 0;
  const chunkObjects: ObjectRef[] = [];
  let gzip = false;

  /** gzip only: writes the plain bytes `[pendingStart, upTo)` as the next chunk object. */
  const writeChunkObject = async (upTo: number): Promise<void> => {
    const bytes = Buffer.concat(pending);
    const ref = layout.artifacts.workObject(run.run_id, `chunks/chunk-${String(chunkObjects.length).padStart(5, '0')}.csv`);
    await store.put(ref, bytes.subarray(0, upTo - pendingStart), { contentType: 'text/csv' });
    chunkObjects.push(ref);
    pending = [bytes.subarray(upTo - pendingStart)];
    pendingStart = upTo;
  };

  const stored = await streamStoredBytes(stream, run.source.key, file, async (chunk, isGzip) => {
    gzip = isGzip;
    const problem = utf8.check(chunk);
    if (problem !== undefined) throw notUtf8(problem);
    if (headerSink.fields === undefined) headerReader.write(chunk);
    const newCuts: number[] = [];
    scanner.scan(chunk, (offset, line) => {
      const last = cuts[cuts.length - 1] as { offset: number };
      if (headerSink.fields === undefined || line <= headerSink.line || cuts.length >= MAX_CHUNKS) return;
      if (offset - last.offset < options.chunkBytes) return;
      cuts.push({ offset, line });
      newCuts.push(offset);
    });
    if (!gzip) return;
    pending.push(chunk);
    for (const offset of newCuts) await writeChunkObject(offset);
  });
  const tail = utf8.end();
  if (tail !== undefined) throw notUtf8(tail);
  if (headerSink.fields === undefined) headerReader.end();
  if (headerSink.fields === undefined) {
    throw new InvalidInputError(
      file,
      stored.bytesRead === 0 ? 'is empty (0 bytes); a header row is required' : 'has no header row (only blank lines)',
    );
  }
  checkHeader(headerSink.fields, file, headerSink.line, layout.dataset);
  const total = scanner.offset;
  if (gzip) await writeChunkObject(total);
  const chunks: Chunk[] = cuts.map((cut, index) => {
    const end = cuts[index + 1]?.offset ?? total;
    return gzip
      ? { index, source: chunkObjects[index] as ObjectRef, start: 0, end: end - cut.offset, first_line: cut.line }
      : { index, source: { bucket: run.source.bucket, key: run.source.key }, start: cut.offset, end, first_line: cut.line };
  });
  const chunkManifest = workManifestRef(work, 'chunks');
  await writeMapItems(store, chunkManifest, chunks);
  logger?.info('bronze file planned', {
    source_file_id: id,
    gzip,
    bytes_read: stored.bytesRead,
    plain_bytes: total,
    chunks: chunks.length,
    header_line: headerSink.line,
  });
  return {
    source_file_id: id,
    content_sha256: stored.contentSha256,
    bytes_read: stored.bytesRead,
    gzip,
    header: headerSink.fields,
    header_line: headerSink.line,
    chunk_count: chunks.length,
    chunk_manifest: chunkManifest,
    chunk_results: mapResultsPrefix(work, 'chunks'),
    map_concurrency: options.mapConcurrency,
    work,
  };
}

/**
 * Enriches one chunk of a planned file: parses its records (line numbers counted from the
 * chunk's first line, so they are the file's), and writes every row, with its lineage
 * (`row_hash`, `source_file_id`, `source_line`, `attempt_count` 0), to the run's work area in
 * parts of at most `rowsPerPart` rows, numbered `chunk * 100 + n`.
 */
export async function enrichChunk(
  state: RunState & { plan: ChunkPlan },
  chunk: Chunk,
  deps: EnrichmentDeps,
): Promise<ChunkEnrichment> {
  const { store, layout, logger } = deps;
  const options = { ...DEFAULT_ENRICHMENT_OPTIONS, ...deps.options };
  const { plan } = state;
  const file = describeObject(state.run.source.bucket, state.run.source.key);
  const header = checkHeader(plan.header, file, plan.header_line, layout.dataset);
  const stream =
    chunk.end > chunk.start ? await store.getStream(chunk.source, { start: chunk.start, end: chunk.end - 1 }) : undefined;
  if (stream === undefined && chunk.end > chunk.start) {
    throw new InvalidInputError(describeObject(chunk.source.bucket, chunk.source.key), 'does not exist');
  }
  const out = new WorkPartWriter(store, plan.work, options.rowsPerPart, chunk.index * PARTS_PER_CHUNK);
  const rows = new RowBuilder(file, plan.source_file_id, out, layout.dataset, { header, line: plan.header_line });
  rows.retry = state.run.mode === 'retry';
  const reader = new CsvRecordReader(rows, {
    maxRecordBytes: options.maxRecordBytes,
    firstLine: chunk.first_line,
    bom: chunk.start === 0 && chunk.index === 0,
  });
  for await (const piece of stream ?? []) {
    reader.write(Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array));
    await out.flush();
  }
  reader.end();
  await out.close();
  logger?.info('chunk enriched', {
    chunk: chunk.index,
    first_line: chunk.first_line,
    bytes: chunk.end - chunk.start,
    input_rows: rows.rows,
    whitespace_only_lines: rows.whitespaceLines,
    wrong_field_count_rows: rows.wrongFieldCount,
    unparseable_records: rows.unparseableRecords,
    parts: out.parts.length,
  });
  return { chunk: chunk.index, input_rows: rows.rows, input_minor: String(out.amountMinor), parts: out.parts };
}

/**
 * The enrichment section (`$.enrichment`) of a planned file whose chunks are all enriched: the
 * totals, and the manifest of every enriched part (the ProcessParts Map's items) written to the
 * work area. `enriched` holds one result per chunk, in any order.
 */
export async function combineChunks(
  plan: ChunkPlan,
  enriched: readonly ChunkEnrichment[],
  file: string,
  store: ObjectStore,
  dataset: DatasetSpec,
): Promise<EnrichmentResult> {
  const byChunk = new Map(enriched.map((result) => [result.chunk, result]));
  const ordered: ChunkEnrichment[] = [];
  const missing: number[] = [];
  for (let index = 0; index < plan.chunk_count; index += 1) {
    const result = byChunk.get(index);
    if (result === undefined) missing.push(index);
    else ordered.push(result);
  }
  if (missing.length > 0 || byChunk.size !== plan.chunk_count || enriched.length !== plan.chunk_count) {
    throw new LakeStateError(
      `enrichment: chunk results do not match the plan (missing chunks: ${missing.join(', ') || 'none'}; ` +
        `${enriched.length} results for ${plan.chunk_count} chunks)`,
    );
  }
  const header = checkHeader(plan.header, file, plan.header_line, dataset);
  const parts = await writePartManifest(store, plan.work, ordered.flatMap((result) => result.parts));
  return {
    source_file_id: plan.source_file_id,
    content_sha256: plan.content_sha256,
    bytes_read: plan.bytes_read,
    header: [...header.names],
    extra_columns: [...header.extra],
    input_rows: ordered.reduce((sum, result) => sum + result.input_rows, 0),
    input_amount: formatMinor(ordered.reduce((sum, result) => sum + BigInt(result.input_minor), 0n)),
    work: plan.work,
    ...parts,
  };
}

/** `CombineChunks`: the EnrichChunks Map's results, read from its result files, combined. */
export async function combineChunkResults(
  state: RunState & { plan: ChunkPlan },
  results: MapRunResults,
  deps: EnrichmentDeps,
): Promise<EnrichmentResult> {
  const enriched = await readMapResults(deps.store, results, 'EnrichChunks');
  return combineChunks(state.plan, enriched, describeObject(state.run.source.bucket, state.run.source.key), deps.store, deps.layout.dataset);
}

/**
 * Enrichment of a whole file in one call: planning, every chunk of its manifest in turn, and the
 * combined section. The state machine runs the same steps as separate Tasks, the chunks in parallel.
 */
export async function enrichFile(state: RunState, deps: EnrichmentDeps): Promise<EnrichmentResult> {
  const plan = await planChunks(state, deps);
  const enriched: ChunkEnrichment[] = [];
  for (const chunk of await readMapItems(deps.store, plan.chunk_manifest, ChunkSchema, 'chunk')) {
    enriched.push(await enrichChunk({ ...state, plan }, chunk, deps));
  }
  const result = await combineChunks(plan, enriched, describeObject(state.run.source.bucket, state.run.source.key), deps.store, deps.layout.dataset);
  if (result.extra_columns.length > 0) deps.logger?.warn('extra columns ignored', { extra_columns: result.extra_columns });
  return result;
}
