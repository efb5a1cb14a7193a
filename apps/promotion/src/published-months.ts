import { listSilverMonths, type PublishedPartition, monthName, parseMonthName, readLatest } from '@ledgerlake/lake';
import { type LakeLayout, listPrefixes, type ObjectStore, type PublishedTableLayout } from '@ledgerlake/storage';

/** The published version of every Silver month, by `YYYY-MM`, as read now. */
export type SilverSnapshot = ReadonlyMap<string, PublishedPartition>;

/** Reads `_LATEST.json` of every Silver month that has one. */
export async function readSilverSnapshot(store: ObjectStore, layout: LakeLayout): Promise<SilverSnapshot> {
  const snapshot = new Map<string, PublishedPartition>();
  for (const month of await listSilverMonths(store, layout.silver)) {
    const latest = await readLatest(store, layout.silver, month);
    if (latest !== undefined) snapshot.set(monthName(month), latest.value);
  }
  return new Map([...snapshot].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The months of a Gold table that have a partition folder, ascending. */
export async function listTableMonths(store: ObjectStore, table: PublishedTableLayout): Promise<string[]> {
  const { bucket, prefix } = table.tablePrefix();
  return (await listPrefixes(store, bucket, prefix))
    .map((partition) => /=(\d{4}-\d{2})\/$/.exec(partition)?.[1])
    .filter((month): month is string => month !== undefined)
    .sort();
}

/** The Silver versions (`YYYY-MM` → version) of the months up to and including `last`. */
export function versionsUpTo(snapshot: SilverSnapshot, last: string): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const [month, partition] of snapshot) if (month <= last) versions[month] = partition.version;
  return versions;
}

/** Whether `newer` was built from Silver at least as recent as `older` in every month `older` names. */
export function covers(newer: Readonly<Record<string, number>> | undefined, older: Readonly<Record<string, number>>): boolean {
  if (newer === undefined) return false;
  return Object.entries(older).every(([month, version]) => (newer[month] ?? 0) >= version);
}

/** The months from `first` to `last` inclusive, as `YYYY-MM`. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let { year, month } = parseMonthName(first);
  for (let name = first; name <= last; ) {
    months.push(name);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
    name = monthName({ year, month });
  }
  return months;
}

/** The month before a `YYYY-MM` month. */
export function previousMonth(name: string): string {
  const { year, month } = parseMonthName(name);
  return month === 1 ? monthName({ year: year - 1, month: 12 }) : monthName({ year, month: month - 1 });
}
