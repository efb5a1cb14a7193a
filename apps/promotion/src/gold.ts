import { createHash } from 'node:crypto';
import { InternalError, TransientStorageError } from '@ledgerlake/domain';
import { type GoldRefresh } from '@ledgerlake/contract';
import { monthName, parseMonthName, type PartitionCatalog, readLatest } from '@ledgerlake/lake';
import type { LakeLayout, ObjectRef, ObjectStore, PublishedTableLayout } from '@ledgerlake/storage';
import { commitPartition } from './commit-partition';
import type { GoldEngine, GoldTableOutput } from './gold-engine';
import type { GoldSqlTable } from './gold-sql';
import {
  covers,
  listTableMonths,
  monthsBetween,
  previousMonth,
  readSilverSnapshot,
  type SilverSnapshot,
  versionsUpTo,
} from './published-months';
import { syncCatalog } from './sync-catalog';

/** What rebuilding Gold works with. */
export interface GoldDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly catalog: PartitionCatalog;
  /** The run (promotion or rollback) the rebuild belongs to: it commits the Gold versions. */
  readonly runId: string;
  readonly executionArn: string;
  readonly now: () => Date;
  /** What computes and writes Gold's files from the SQL definition (DuckDB locally, Athena in the cloud). */
  readonly gold: GoldEngine;
}

/** What a rebuild did. */

/**
 * How many months after a month with published Silver data Gold carries balances into when no
 * data follows: a gap of up to this many months between two data months has every month in Gold
 * (docs/contract/tables.md, "gold.account_balances": "carried forward through months without transactions"); after a longer gap's
 * first 12 months, Gold resumes at the next data month, whose balances still count the whole
 * history. A year covers any real pause of a monthly feed, and keeps Gold's work proportional to
 * the months that have data (at most 13 Gold months each) instead of to the calendar between them.
 */
export const GOLD_CARRY_FORWARD_MONTHS = 12;

const MAX_PASSES = 5;

/**
 * Rebuilds Gold (docs/contract/publishing.md, "Gold refresh") for `from` and every later Gold month, from published Silver only,
 * with `deps.gold` running the Gold SQL (docs/gold.md):
 * the months with Silver data, the `GOLD_CARRY_FORWARD_MONTHS` after each, and any month Gold
 * already holds. The balances before `from` are taken from Gold itself — its latest month before
 * `from` — when that Gold month was built from exactly the Silver versions now published before
 * `from`; otherwise from Silver's first month. Each month's rows carry the Silver versions they were computed from (`built_from`):
 * a Gold month already built from Silver at least as recent is left as it is, and after a pass the
 * Silver versions are read again — if a promotion committed meanwhile, the rebuild runs again
 * from the earliest month it changed, so concurrent promotions end with Gold matching Silver.
 */
export async function refreshGold(from: string, deps: GoldDeps): Promise<GoldRefresh> {
  const months = new Set<string>();
  let committed = 0;
  let start = from;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const snapshot = await readSilverSnapshot(deps.store, deps.layout);
    const rebuilt = await rebuildFrom(start, snapshot, deps);
    rebuilt.months.forEach((month) => months.add(month));
    committed += rebuilt.committed;
    const changed = changedMonths(snapshot, await readSilverSnapshot(deps.store, deps.layout));
    if (changed === undefined) return { months: [...months].sort(), committed, passes: pass };
    start = changed;
  }
  throw new TransientStorageError(`gold: Silver kept changing during ${MAX_PASSES} rebuilds from ${from}`);
}

/** The earliest month whose Silver version differs between two snapshots, `undefined` when none. */
function changedMonths(before: SilverSnapshot, after: SilverSnapshot): string | undefined {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].sort().find((month) => before.get(month)?.version !== after.get(month)?.version);
}

async function rebuildFrom(
  from: string,
  snapshot: SilverSnapshot,
  deps: GoldDeps,
): Promise<{ months: string[]; committed: number }> {
  const silverMonths = [...snapshot.keys()];
  const goldMonths = await listTableMonths(deps.store, deps.layout.gold.accountBalances);
  const first = silverMonths[0];
  const last = [silverMonths.at(-1), goldMonths.at(-1)].filter((m): m is string => m !== undefined).sort().at(-1);
  if (last === undefined || from > last) return { months: [], committed: 0 };

  let begin = from;
  let seed: ObjectRef[] = [];
  if (first !== undefined && from > first) {
    const seeded = await seedFromGold(goldMonths, previousMonth(from), snapshot, deps);
    if (seeded === undefined) begin = first;
    else seed = seeded;
  }
  const months = goldMonthsToBuild(begin, last, silverMonths, goldMonths);
  if (months.length === 0) return { months: [], committed: 0 };

  // A month whose two tables were already built from this Silver (a retry, a roll-forward after a
  // crash) is computed — later months need its balances — but neither written nor committed again.
  const builtFrom = new Map(months.map((month) => [month, versionsUpTo(snapshot, month)]));
  const write: string[] = [];
  for (const month of months) {
    const current = await Promise.all(goldTables(deps.layout).map(([, layout]) => readLatest(deps.store, layout, parseMonthName(month))));
    if (current.every((latest) => covers(latest?.value.built_from, builtFrom.get(month) ?? {}))) {
      for (const [table, layout] of goldTables(deps.layout)) await syncCatalog(deps.store, deps.catalog, table, layout, parseMonthName(month), deps.now);
    } else write.push(month);
  }
  if (write.length === 0) return { months, committed: 0 };

  const silver = new Map<string, ObjectRef[]>();
  for (const month of months) {
    const partition = snapshot.get(month);
    if (partition !== undefined) silver.set(month, partition.files.map((key) => ({ bucket: deps.layout.buckets.silver, key })));
  }
  const layouts = new Map(goldTables(deps.layout));
  const built = await deps.gold.build({
    months,
    write,
    silver,
    seed,
    // Named by the Silver it was built from: a retry rewrites the same name, a rebuild from newer
    // Silver gets a new one, so a published object never changes under its readers.
    target: (table, month) => (layouts.get(table) as PublishedTableLayout).currentObject(parseMonthName(month), `${deps.runId}-${fingerprint(builtFrom.get(month) ?? {})}.parquet`),
  });

  let committed = 0;
  for (const month of write) {
    const outputs = built.get(month);
    if (outputs === undefined) throw new InternalError(`gold: the engine returned nothing for ${month}`);
    for (const [table, layout] of goldTables(deps.layout)) {
      if (await commitGoldTable(month, table, layout, outputs[table], builtFrom.get(month) ?? {}, deps)) committed += 1;
    }
  }
  return { months, committed };
}

/** Both Gold tables with their layouts, in commit order. */
function goldTables(layout: LakeLayout): [GoldSqlTable, PublishedTableLayout][] {
  return [
    ['gold.account_balances', layout.gold.accountBalances],
    ['gold.monthly_reports', layout.gold.monthlyReports],
  ];
}

function fingerprint(builtFrom: Record<string, number>): string {
  return createHash('sha256').update(JSON.stringify(builtFrom)).digest('hex').slice(0, 16);
}

/**
 * The Gold months from `begin` to `last`, ascending: each month with Silver data, the
 * `GOLD_CARRY_FORWARD_MONTHS` after it, and every month Gold already has
 * (so that none is left stale). Their number is bounded by the data months and Gold's own, never
 * by the calendar.
 */
function goldMonthsToBuild(begin: string, last: string, silverMonths: readonly string[], goldMonths: readonly string[]): string[] {
  const months = new Set(goldMonths.filter((month) => month >= begin && month <= last));
  for (const dataMonth of silverMonths) {
    const carried = monthsBetween(dataMonth, monthsAfter(dataMonth, GOLD_CARRY_FORWARD_MONTHS));
    for (const month of carried) if (month >= begin && month <= last) months.add(month);
  }
  return [...months].sort();
}

/** The month `count` months after a `YYYY-MM` month. */
function monthsAfter(name: string, count: number): string {
  const { year, month } = parseMonthName(name);
  const index = year * 12 + (month - 1) + count;
  return monthName({ year: Math.floor(index / 12), month: (index % 12) + 1 });
}

/**
 * The Gold `account_balances` objects at the end of `before` — Gold's latest month up to
 * `before` — when that month was built from exactly the Silver versions now published up to
 * `before` (so no Silver month lies between them); `undefined` otherwise.
 */
async function seedFromGold(
  goldMonths: readonly string[],
  before: string,
  snapshot: SilverSnapshot,
  deps: GoldDeps,
): Promise<ObjectRef[] | undefined> {
  const month = goldMonths.filter((m) => m <= before).at(-1);
  if (month === undefined) return undefined;
  const latest = await readLatest(deps.store, deps.layout.gold.accountBalances, parseMonthName(month));
  const expected = versionsUpTo(snapshot, before);
  const builtFrom = latest?.value.built_from;
  if (latest === undefined || !covers(builtFrom, expected) || !covers(expected, builtFrom ?? {})) return undefined;
  return latest.value.files.map((key) => ({ bucket: deps.layout.buckets.gold, key }));
}

/** Commits one month of one Gold table as the engine wrote it; whether a new version was committed. */
async function commitGoldTable(
  monthText: string,
  table: GoldSqlTable,
  layout: PublishedTableLayout,
  output: GoldTableOutput,
  builtFrom: Record<string, number>,
  deps: GoldDeps,
): Promise<boolean> {
  const month = parseMonthName(monthText);
  const existing = await readLatest(deps.store, layout, month);
  if (existing === undefined && output.rows === 0) return false;
  const outcome = await commitPartition(deps.store, {
    table,
    layout,
    bucket: deps.layout.buckets.gold,
    month,
    runId: deps.runId,
    executionArn: deps.executionArn,
    now: deps.now,
    change: (current) =>
      covers(current?.built_from, builtFrom)
        ? undefined
        : {
            action: 'rebuild',
            runs: [{ run_id: deps.runId, execution_arn: deps.executionArn, promoted_at: deps.now().toISOString(), rows: output.rows, files: [...output.files] }],
            built_from: builtFrom,
          },
  });
  await syncCatalog(deps.store, deps.catalog, table, layout, month, deps.now);
  return outcome.committed;
}
