import { createHash } from 'node:crypto';
import { businessKey, formatMinor, formatTimestampMicros } from '@ledgerlake/domain';
import { lateCondemnedRef, listLateCondemned, rejectedColumns, SILVER_COLUMNS } from '@ledgerlake/lake';
import {
  type ColumnValues,
  type Compressor,
  ParquetObjectWriter,
  readParquetRowGroups,
  TIMESTAMPS_AS_MICROS,
} from '@ledgerlake/parquet';
import type { LakeLayout, ObjectStore, YearMonth } from '@ledgerlake/storage';

/*
 * The serialization point of business keys (docs/exactly-once.md). Loop prevention checks a run's
 * keys against the month's version it reads; another run may publish the same keys before this
 * run commits. So each month's commit, inside its compare-and-swap, compares the run's keys with
 * the rows of every run published after the checked version: keys found there are late — the
 * other run published them first — and the run's rows with them are condemned DUPLICATE_FAILURE
 * instead of published. The month is then committed with the run's files rewritten without them.
 * A lost compare-and-swap re-reads and checks again against the winner, so of any set of
 * overlapping runs, each key is published exactly once, whoever commits first.
 */

const KEY_COLUMNS = ['id', 'tx_date'];
const MICROS_PER_DAY = 86_400_000_000n;

function keyOf(id: unknown, micros: unknown): string {
  const at = BigInt(micros as bigint);
  const day = at >= 0n ? at / MICROS_PER_DAY : -((-at + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  return businessKey(BigInt(id as bigint), formatTimestampMicros(day * MICROS_PER_DAY).slice(0, 10));
}

async function scanKeys(store: ObjectStore, bucket: string, keys: readonly string[], visit: (key: string) => void): Promise<void> {
  for (const key of keys) {
    for await (const group of readParquetRowGroups(store, { bucket, key }, KEY_COLUMNS, { parsers: TIMESTAMPS_AS_MICROS })) {
      const ids = group.columns.get('id') ?? [];
      const dates = group.columns.get('tx_date') ?? [];
      for (let i = 0; i < group.rows; i++) visit(keyOf(ids[i], dates[i]));
    }
  }
}

/** The keys of the run's files that the other files (runs published since its check) also hold, mapped to who published them. */
export async function findLateKeys(
  store: ObjectStore,
  layout: LakeLayout,
  runFiles: readonly string[],
  others: readonly { readonly run_id: string; readonly files: readonly string[] }[],
): Promise<Map<string, string>> {
  const late = new Map<string, string>();
  if (others.length === 0) return late;
  const own = new Set<string>();
  await scanKeys(store, layout.buckets.silver, runFiles, (key) => own.add(key));
  for (const other of others) {
    await scanKeys(store, layout.buckets.silver, other.files, (key) => {
      if (own.has(key) && !late.has(key)) late.set(key, other.run_id);
    });
  }
  return late;
}

/** The run's month without its late rows: the objects to publish and their rows. */
export interface LateExclusion {
  readonly files: string[];
  readonly rows: number;
  readonly condemnedRows: number;
}

/** A short name for a set of late keys: the rewritten objects and their condemned rows carry it. */
function tagOf(late: ReadonlyMap<string, string>): string {
  return createHash('sha256').update([...late.keys()].sort().join('\n')).digest('hex').slice(0, 12);
}

/**
 * Rewrites the run's objects of a month without the rows whose key is late, into `current/`
 * (`<run_id>-late-<tag>-part-NNNNN.parquet`), and writes those rows to the run's Condemned folder
 * (`part-late-<YYYY-MM>-<tag>.parquet`) as DUPLICATE_FAILURE. Deterministic in the late set: a
 * retry writes the same objects again.
 */
export async function excludeLateRows(
  store: ObjectStore,
  layout: LakeLayout,
  request: {
    readonly month: YearMonth;
    readonly runId: string;
    readonly ingestDate: string;
    readonly runFiles: readonly string[];
    readonly late: ReadonlyMap<string, string>;
    readonly compressor?: Compressor;
  },
): Promise<LateExclusion> {
  const { month, runId, late } = request;
  const tag = tagOf(late);
  const names = SILVER_COLUMNS.map((column) => column.name);
  const options = request.compressor === undefined ? {} : { compressor: request.compressor };
  const condemnedRef = lateCondemnedRef(layout, request.ingestDate, runId, month, tag);
  const condemned = new ParquetObjectWriter(store, condemnedRef, { columns: rejectedColumns(layout.dataset), ...options });
  const files: string[] = [];
  let rows = 0;
  let condemnedRows = 0;
  try {
    for (const key of request.runFiles) {
      const target = layout.silver.currentObject(month, `${runId}-late-${tag}-${key.slice(key.lastIndexOf('/') + 1)}`);
      const writer = new ParquetObjectWriter(store, target, { columns: SILVER_COLUMNS, ...options });
      const source = { bucket: layout.buckets.silver, key };
      for await (const group of readParquetRowGroups(store, source, names, { rawDecimals: true, parsers: TIMESTAMPS_AS_MICROS })) {
        const columns = names.map((name) => group.columns.get(name) ?? []);
        const keep: number[] = [];
        const drop: number[] = [];
        const [ids, , , , dates] = columns;
        for (let i = 0; i < group.rows; i++) (late.has(keyOf(ids?.[i], dates?.[i])) ? drop : keep).push(i);
        await writer.writeRowGroup(
          columns.map((values) => keep.map((i) => values[i]) as ColumnValues),
          keep.length,
        );
        if (drop.length > 0) await condemned.writeRowGroup(lateCondemnedColumns(columns, drop, late, layout.dataset.columns.id.input), drop.length);
        rows += keep.length;
        condemnedRows += drop.length;
      }
      if (writer.rows === 0) await writer.abort();
      else files.push((await writer.finish()).ref.key);
    }
    await condemned.finish();
  } catch (error) {
    await condemned.abort(error);
    throw error;
  }
  return { files, rows, condemnedRows };
}

/** The late rows as Condemned rows: the five fields as text, DUPLICATE_FAILURE, who published the key first, lineage kept. */
function lateCondemnedColumns(
  silver: readonly (readonly unknown[])[],
  rows: readonly number[],
  late: ReadonlyMap<string, string>,
  idColumn: string,
): ColumnValues[] {
  const [ids, accounts, amounts, currencies, dates, ...lineage] = silver;
  const pick = (values: readonly unknown[] | undefined, map: (value: unknown) => unknown = (v) => v) =>
    rows.map((i) => map(values?.[i])) as ColumnValues;
  const detail = rows.map((i) => {
    const key = keyOf(ids?.[i], dates?.[i]);
    const [id, day] = key.split('|');
    return `${idColumn} ${id} on ${day} was published by run ${late.get(key)} while this run was in flight (the first commit wins)`;
  });
  return [
    pick(ids, (v) => String(v)),
    pick(accounts),
    pick(amounts, (v) => formatMinor(BigInt(v as bigint))),
    pick(currencies),
    pick(dates, (v) => formatTimestampMicros(BigInt(v as bigint))),
    rows.map(() => 'DUPLICATE_FAILURE'),
    detail,
    ...lineage.map((values) => pick(values)),
  ];
}

/**
 * Removes the late-row objects of attempts that did not commit (their set of late keys lost a
 * compare-and-swap): only those of the tag now published stay (none when it has no late rows).
 */
export async function removeStaleLateRows(
  store: ObjectStore,
  layout: LakeLayout,
  month: YearMonth,
  runId: string,
  ingestDate: string,
  publishedFiles: readonly string[],
): Promise<void> {
  const tag = publishedFiles.map((key) => /-late-([0-9a-f]{12})-part-/.exec(key)?.[1]).find((found) => found !== undefined);
  for (const ref of await listLateCondemned(store, layout, ingestDate, runId, month)) {
    if (tag === undefined || !ref.key.endsWith(`-${tag}.parquet`)) await store.delete(ref);
  }
}
