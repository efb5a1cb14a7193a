import { LakeStateError } from '@ledgerlake/domain';
import { type LakeLayout, type ObjectRef, type ObjectStore, parseRunIdFromKey } from '@ledgerlake/storage';
import { readParquetRowGroups } from '@ledgerlake/parquet';
import { z } from 'zod';
import { dayOfMicros, dayOfMillis, type FileKeyTable, idKeyOf } from './business-keys';

/**
 * What loop prevention needs of a partition's `_LATEST.json` (the promotion's commit point):
 * the keys, in the Silver bucket, of the published Parquet objects, and the run it names.
 */
export const LatestPointerSchema = z.object({
  files: z.array(z.string().min(1)),
  run_id: z.string().min(1).optional(),
  version: z.number().int().positive().optional(),
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
  /** Each touched month's version the check read (`YYYY-MM` → version; 0: nothing published). */
  readonly versions: Record<string, number>;
}

const ID_COLUMN = 'id';
const DATE_COLUMN = 'tx_date';

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
  let rows = 0;
  for await (const group of readParquetRowGroups(store, ref, [ID_COLUMN, DATE_COLUMN], { parsers: DAY_PARSERS })) {
    const ids = group.columns.get(ID_COLUMN) ?? [];
    const days = group.columns.get(DATE_COLUMN) ?? [];
    for (let i = 0; i < group.rows; i++) {
      const id = ids[i];
      const day = days[i];
      // A published row always has both (Silver columns are required); skip anything else.
      if ((typeof id === 'bigint' || typeof id === 'number') && typeof day === 'number') visit(id, day);
    }
    rows += group.rows;
  }
  return rows;
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
  const versions: Record<string, number> = {};
  for (const month of [...new Set(months)].sort()) {
    versions[month] = 0;
    const [year, mm] = month.split('-').map(Number) as [number, number];
    const latestRef = layout.silver.latest({ year, month: mm });
    const bytes = await store.getBytes(latestRef);
    if (bytes === undefined) continue;
    partitions++;
    const latest = parseLatest(bytes, latestRef);
    versions[month] = latest.version ?? 0;
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
  return { partitions, files, rows, matches, versions };
}

function parseLatest(bytes: Uint8Array, ref: ObjectRef): z.infer<typeof LatestPointerSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new LakeStateError(`loop-prevention: ${ref.bucket}/${ref.key} is not JSON`, { cause: error });
  }
  const parsed = LatestPointerSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LakeStateError(`loop-prevention: ${ref.bucket}/${ref.key} has no files list: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
