import { type LakeLayout, type ObjectRef, type ObjectStore, parseRunIdFromKey } from '@ledgerlake/storage';
import { type AsyncBuffer, cachedAsyncBuffer, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { z } from 'zod';
import { dayOfMicros, dayOfMillis, type FileKeyTable, idKeyOf } from './business-keys';

/**
 * What loop prevention needs of a partition's `_LATEST.json` (the promotion's commit point):
 * the keys, in the Silver bucket, of the published Parquet objects, and the run it names.
 */
export const LatestPointerSchema = z.object({
  files: z.array(z.string().min(1)),
  run_id: z.string().min(1).optional(),
});

/** What scanning the published partitions found. */
export interface PublishedScan {
  /** Partitions with a `_LATEST.json`. */
  readonly partitions: number;
  /** Published Parquet objects read. */
  readonly files: number;
  /** Published rows scanned. */
  readonly rows: number;
  /** Published keys that are also in the file. */
  readonly matches: number;
}

const ID_COLUMN = 'id';
const DATE_COLUMN = 'tx_date';
/** Files smaller than this are fetched whole; bigger ones by byte ranges (footer, then the two columns). */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;

async function readRange(store: ObjectStore, ref: ObjectRef, start: number, end: number): Promise<ArrayBuffer> {
  const stream = await store.getStream(ref, { start, end: end - 1 });
  if (stream === undefined) throw new Error(`loop-prevention: published file ${ref.bucket}/${ref.key} disappeared while reading`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A hyparquet file over the object store: byte-range reads, cached. */
async function openParquet(store: ObjectStore, ref: ObjectRef): Promise<AsyncBuffer> {
  const meta = await store.head(ref);
  if (meta === undefined) {
    throw new Error(`loop-prevention: ${ref.bucket}/${ref.key} is listed in _LATEST.json but does not exist`);
  }
  return cachedAsyncBuffer(
    { byteLength: meta.size, slice: (start, end) => readRange(store, ref, start, end ?? meta.size) },
    { minSize: WHOLE_FILE_BYTES },
  );
}

/** Keeps timestamps as day numbers: no Date per row. */
const DAY_PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => dayOfMillis(Number(millis)),
  timestampFromMicroseconds: (micros: bigint) => dayOfMicros(micros),
  timestampFromNanoseconds: (nanos: bigint) => dayOfMicros(nanos / 1000n),
};

/** Reads the `id` and `tx_date` (as day numbers) of one published file, row group by row group. */
async function scanFile(
  store: ObjectStore,
  ref: ObjectRef,
  visit: (id: bigint | number, day: number) => void,
): Promise<number> {
  const file = await openParquet(store, ref);
  const metadata = await parquetMetadataAsync(file);
  let rowStart = 0;
  let rows = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>([
      [ID_COLUMN, []],
      [DATE_COLUMN, []],
    ]);
    await parquetRead({
      file,
      metadata,
      columns: [ID_COLUMN, DATE_COLUMN],
      rowStart,
      rowEnd: rowStart + groupRows,
      parsers: DAY_PARSERS,
      onChunk: ({ columnName, columnData, rowStart: at }) => {
        chunks.get(columnName)?.push({ rowStart: at, data: columnData });
      },
    });
    const ids = flatten(chunks.get(ID_COLUMN), rowStart, groupRows, ref, ID_COLUMN);
    const days = flatten(chunks.get(DATE_COLUMN), rowStart, groupRows, ref, DATE_COLUMN);
    for (let i = 0; i < groupRows; i++) {
      const id = ids[i];
      const day = days[i];
      // A published row always has both (Silver columns are required); skip anything else.
      if ((typeof id === 'bigint' || typeof id === 'number') && typeof day === 'number') visit(id, day);
    }
    rows += groupRows;
    rowStart += groupRows;
  }
  return rows;
}

/** Lays a column's chunks of one row group out as one array indexed from the group's first row. */
function flatten(
  chunks: { rowStart: number; data: ArrayLike<unknown> }[] | undefined,
  groupStart: number,
  groupRows: number,
  ref: ObjectRef,
  column: string,
): unknown[] {
  if (chunks === undefined || chunks.length === 0) {
    throw new Error(`loop-prevention: published file ${ref.bucket}/${ref.key} has no ${column} column`);
  }
  const out = new Array<unknown>(groupRows);
  for (const { rowStart, data } of chunks) {
    for (let i = 0; i < data.length; i++) {
      const at = rowStart - groupStart + i;
      if (at >= 0 && at < groupRows) out[at] = data[i];
    }
  }
  return out;
}

/**
 * Marks in `keys` every key of the file that is already published in Silver: for each touched
 * year/month partition, reads `_LATEST.json` (none: nothing published) and only the `id` and
 * `tx_date` columns of the Parquet objects it lists. The run a key is credited to is the
 * `run_id=` of the object's key, else the run `_LATEST.json` names.
 */
export async function markPublishedKeys(
  store: ObjectStore,
  layout: LakeLayout,
  months: Iterable<string>,
  keys: FileKeyTable,
): Promise<PublishedScan> {
  let partitions = 0;
  let files = 0;
  let rows = 0;
  let matches = 0;
  for (const month of [...new Set(months)].sort()) {
    const [year, mm] = month.split('-').map(Number) as [number, number];
    const latestRef = layout.silver.latest({ year, month: mm });
    const bytes = await store.getBytes(latestRef);
    if (bytes === undefined) continue;
    partitions++;
    const latest = parseLatest(bytes, latestRef);
    for (const key of latest.files) {
      const ref = { bucket: layout.buckets.silver, key };
      const runId = parseRunIdFromKey(key) ?? latest.run_id ?? 'unknown';
      files++;
      rows += await scanFile(store, ref, (id, day) => {
        if (!keys.hasDay(day)) return;
        const slot = keys.find(day, typeof id === 'bigint' ? idKeyOf(id) : id);
        if (slot === undefined) return;
        matches++;
        keys.markPublished(slot, runId);
      });
    }
  }
  return { partitions, files, rows, matches };
}

function parseLatest(bytes: Uint8Array, ref: ObjectRef): z.infer<typeof LatestPointerSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new Error(`loop-prevention: ${ref.bucket}/${ref.key} is not JSON`, { cause: error });
  }
  const parsed = LatestPointerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`loop-prevention: ${ref.bucket}/${ref.key} has no files list: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
