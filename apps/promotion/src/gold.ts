import { createHash } from 'node:crypto';
import { formatMinor, TransientStorageError } from '@ledgerlake/domain';
import {
  type ColumnValues,
  type Compressor,
  monthName,
  type ParquetColumnSpec,
  ParquetObjectWriter,
  parseMonthName,
  type PartitionCatalog,
  type PublishedPartition,
  readLatest,
  readParquetRowGroups,
  TIMESTAMPS_AS_MICROS,
} from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore, PublishedTableLayout, PublishedTableName } from '@ledgerlake/storage';
import { commitPartition } from './commit-partition';
import { ACCOUNT_BALANCES_COLUMNS, GOLD_MAX_MINOR, GOLD_MONEY_PRECISION, MONTHLY_REPORTS_COLUMNS } from './gold-tables';
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
  readonly compressor?: Compressor;
}

/** What a rebuild did. */
export interface GoldRefresh {
  /** The months rebuilt (each table committed a new version, or already held this Silver). */
  readonly months: string[];
  /** Table partitions committed. */
  readonly committed: number;
  /** Rebuild passes: more than one when Silver changed while Gold was being built. */
  readonly passes: number;
}

/** One account's position in one currency at a month's end. */
interface Position {
  readonly account: string;
  /** The account id as UTF-8, encoded once: every month's files repeat it. */
  readonly accountBytes: Uint8Array;
  readonly currency: string;
  balance: bigint;
  count: bigint;
  last: bigint;
}

/** One account's activity in one currency during a month. */
interface Activity {
  count: bigint;
  credits: bigint;
  debits: bigint;
}

/**
 * How many months after a month with published Silver data Gold carries balances into when no
 * data follows: a gap of up to this many months between two data months has every month in Gold
 * (PRODUCT.md §6, "carried forward through months without transactions"); after a longer gap's
 * first 12 months, Gold resumes at the next data month, whose balances still count the whole
 * history. A year covers any real pause of a monthly feed, and keeps Gold's work proportional to
 * the months that have data (at most 13 Gold months each) instead of to the calendar between them.
 */
export const GOLD_CARRY_FORWARD_MONTHS = 12;

const MAX_PASSES = 5;
const UTF8 = new TextEncoder();
const SILVER_COLUMNS = ['account_id', 'currency', 'amount', 'tx_date'];
const BALANCE_COLUMNS = ['account_id', 'currency', 'balance', 'tx_count', 'last_tx_date'];

/**
 * Rebuilds Gold (PRODUCT.md §6) for `from` and every later Gold month, from published Silver only:
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

  const positions = new Map<string, Position>();
  let begin = from;
  if (first !== undefined && from > first) {
    const seeded = await seedFromGold(goldMonths, previousMonth(from), snapshot, deps, positions);
    if (!seeded) begin = first;
  }

  const months: string[] = [];
  let committed = 0;
  // Positions in file order (account, currency), kept sorted as accounts appear: no full sort a month.
  let ordered = [...positions.values()].sort(byAccount);
  for (const month of goldMonthsToBuild(begin, last, silverMonths, goldMonths)) {
    const known = positions.size;
    const activity = await aggregateMonth(snapshot.get(month), deps, positions);
    if (positions.size > known) ordered = mergeSorted(ordered, [...positions.values()].slice(known).sort(byAccount));
    const builtFrom = versionsUpTo(snapshot, month);
    committed += await publishGoldMonth(month, ordered, activity, builtFrom, deps);
    months.push(month);
  }
  return { months, committed };
}

/**
 * The Gold months from `begin` to `last`, ascending: each month with Silver data and the
 * `GOLD_CARRY_FORWARD_MONTHS` after it, and every month Gold already has (so that none is left
 * stale). Their number is bounded by the data months and Gold's own, never by the calendar.
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
 * Loads the positions at the end of `before` from Gold — its latest month up to `before` — when
 * that month was built from exactly the Silver versions now published up to `before` (so no Silver
 * month lies between them); false otherwise.
 */
async function seedFromGold(
  goldMonths: readonly string[],
  before: string,
  snapshot: SilverSnapshot,
  deps: GoldDeps,
  positions: Map<string, Position>,
): Promise<boolean> {
  const month = goldMonths.filter((m) => m <= before).at(-1);
  if (month === undefined) return false;
  const latest = await readLatest(deps.store, deps.layout.gold.accountBalances, parseMonthName(month));
  const expected = versionsUpTo(snapshot, before);
  const builtFrom = latest?.value.built_from;
  if (latest === undefined || !covers(builtFrom, expected) || !covers(expected, builtFrom ?? {})) return false;
  for (const key of latest.value.files) {
    const ref = { bucket: deps.layout.buckets.gold, key };
    for await (const group of readParquetRowGroups(deps.store, ref, BALANCE_COLUMNS, { rawDecimals: true, parsers: TIMESTAMPS_AS_MICROS })) {
      const [accounts, currencies, balances, counts, lasts] = BALANCE_COLUMNS.map((c) => group.columns.get(c) ?? []);
      for (let i = 0; i < group.rows; i++) {
        const account = String(accounts?.[i]);
        const currency = String(currencies?.[i]);
        positions.set(positionKey(account, currency), {
          account,
          accountBytes: UTF8.encode(account),
          currency,
          balance: BigInt(balances?.[i] as bigint),
          count: BigInt(counts?.[i] as bigint),
          last: BigInt(lasts?.[i] as bigint),
        });
      }
    }
  }
  return true;
}

function positionKey(account: string, currency: string): string {
  return `${account}\u0000${currency}`;
}

/** Adds one published Silver month to the positions and returns its activity per account and currency. */
async function aggregateMonth(
  partition: PublishedPartition | undefined,
  deps: GoldDeps,
  positions: Map<string, Position>,
): Promise<Map<string, Activity>> {
  const activity = new Map<string, Activity>();
  for (const key of partition?.files ?? []) {
    const ref = { bucket: deps.layout.buckets.silver, key };
    for await (const group of readParquetRowGroups(deps.store, ref, SILVER_COLUMNS, { rawDecimals: true, parsers: TIMESTAMPS_AS_MICROS })) {
      const [accounts, currencies, amounts, dates] = SILVER_COLUMNS.map((c) => group.columns.get(c) ?? []);
      for (let i = 0; i < group.rows; i++) {
        const account = String(accounts?.[i]);
        const currency = String(currencies?.[i]);
        const amount = BigInt(amounts?.[i] as bigint);
        const when = BigInt(dates?.[i] as bigint);
        const key = positionKey(account, currency);
        let position = positions.get(key);
        if (position === undefined) {
          position = { account, accountBytes: UTF8.encode(account), currency, balance: 0n, count: 0n, last: when };
          positions.set(key, position);
        }
        position.balance += amount;
        position.count += 1n;
        if (when > position.last) position.last = when;
        let month = activity.get(key);
        if (month === undefined) {
          month = { count: 0n, credits: 0n, debits: 0n };
          activity.set(key, month);
        }
        month.count += 1n;
        if (amount >= 0n) month.credits += amount;
        else month.debits -= amount;
      }
    }
  }
  return activity;
}

/** Writes and commits one month of both Gold tables; returns the number of partitions committed. */
async function publishGoldMonth(
  month: string,
  sorted: readonly Position[],
  activity: ReadonlyMap<string, Activity>,
  builtFrom: Record<string, number>,
  deps: GoldDeps,
): Promise<number> {
  const n = sorted.length;
  // Column by column, straight into typed arrays: a month can hold every account of the lake.
  const accounts = sorted.map((p) => p.accountBytes);
  const currencies = sorted.map((p) => p.currency);
  // Money is DECIMAL(38,2), past what a BigInt64Array holds: plain arrays of bigint.
  const money = (): bigint[] => new Array<bigint>(n).fill(0n);
  const balance = money();
  const count = new BigInt64Array(n);
  const last = new BigInt64Array(n);
  const txCount = new BigInt64Array(n);
  const credits = money();
  const debits = money();
  const net = money();
  for (let i = 0; i < n; i++) {
    const p = sorted[i] as Position;
    const a = activity.get(positionKey(p.account, p.currency));
    balance[i] = checked(p.balance, p, month);
    count[i] = p.count;
    last[i] = p.last;
    if (a !== undefined) {
      txCount[i] = a.count;
      credits[i] = checked(a.credits, p, month);
      debits[i] = checked(a.debits, p, month);
      net[i] = checked(a.credits - a.debits, p, month);
    }
  }
  const tables: [PublishedTableName, PublishedTableLayout, readonly ParquetColumnSpec[], ColumnValues[]][] = [
    ['gold.account_balances', deps.layout.gold.accountBalances, ACCOUNT_BALANCES_COLUMNS, [accounts, currencies, balance, count, last]],
    [
      'gold.monthly_reports',
      deps.layout.gold.monthlyReports,
      MONTHLY_REPORTS_COLUMNS,
      [accounts, currencies, txCount, credits, debits, net, balance],
    ],
  ];
  let committed = 0;
  for (const [table, layout, columns, values] of tables) {
    if (await publishGoldTable(month, table, layout, columns, values, n, builtFrom, deps)) committed += 1;
  }
  return committed;
}

async function publishGoldTable(
  monthText: string,
  table: PublishedTableName,
  layout: PublishedTableLayout,
  columns: readonly ParquetColumnSpec[],
  values: ColumnValues[],
  rows: number,
  builtFrom: Record<string, number>,
  deps: GoldDeps,
): Promise<boolean> {
  const month = parseMonthName(monthText);
  const existing = await readLatest(deps.store, layout, month);
  if (covers(existing?.value.built_from, builtFrom)) {
    // Already built (a retry, or a roll-forward after a crash): its catalog entry may still lag.
    await syncCatalog(deps.store, deps.catalog, table, layout, month, deps.now);
    return false;
  }
  if (existing === undefined && rows === 0) return false;
  // Named by the Silver it was built from: a retry rewrites the same bytes, a rebuild from newer
  // Silver gets a new name, so a published object never changes under its readers.
  const fingerprint = createHash('sha256').update(JSON.stringify(builtFrom)).digest('hex').slice(0, 16);
  const files: string[] = [];
  if (rows > 0) {
    const ref = layout.currentObject(month, `${deps.runId}-${fingerprint}.parquet`);
    const writer = new ParquetObjectWriter(deps.store, ref, {
      columns,
      ...(deps.compressor === undefined ? {} : { compressor: deps.compressor }),
      metadata: { 'ledgerlake.table': table, 'ledgerlake.built_from': JSON.stringify(builtFrom) },
      // One row group of every account: its min/max say nothing a reader could skip on.
      statistics: false,
    });
    await writer.writeRowGroup(values, rows);
    await writer.finish();
    files.push(ref.key);
  }
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
            runs: [{ run_id: deps.runId, execution_arn: deps.executionArn, promoted_at: deps.now().toISOString(), rows, files }],
            built_from: builtFrom,
          },
  });
  await syncCatalog(deps.store, deps.catalog, table, layout, month, deps.now);
  return outcome.committed;
}

/** A sum that must fit Gold's DECIMAL(38,2); one that does not is reported, never wrapped or rounded. */
function checked(minor: bigint, position: Position, month: string): bigint {
  if (minor > GOLD_MAX_MINOR || minor < -GOLD_MAX_MINOR) {
    throw new RangeError(
      `gold: account ${position.account} ${position.currency} reaches ${formatMinor(minor)} at ${month}, beyond DECIMAL(${GOLD_MONEY_PRECISION},2)`,
    );
  }
  return minor;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAccount(a: Position, b: Position): number {
  return compare(a.account, b.account) || compare(a.currency, b.currency);
}

/** Merges two arrays sorted by `byAccount` (a Map keeps insertion order, so new positions come last). */
function mergeSorted(left: readonly Position[], right: readonly Position[]): Position[] {
  const out = new Array<Position>(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) out[k++] = byAccount(left[i] as Position, right[j] as Position) <= 0 ? (left[i++] as Position) : (right[j++] as Position);
  while (i < left.length) out[k++] = left[i++] as Position;
  while (j < right.length) out[k++] = right[j++] as Position;
  return out;
}
