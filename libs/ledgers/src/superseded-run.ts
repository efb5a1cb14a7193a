import { runIdTime } from '@ledgerlake/domain';
import { type LakeLayout, listAll, listPrefixes, type ObjectStore } from '@ledgerlake/storage';
import { readLedgerEntry } from './processed-file-ledger';

/*
 * A run whose claim on a content is taken over (it was released: failed, blocked, interrupted; or
 * abandoned: its holder died) is superseded by the run that takes it: that run decides every row
 * of the content again. So the rows the superseded run had already rejected — its Quarantine and
 * Condemned objects and its entries in the quarantine-history index — are removed first, and each
 * input row ends in exactly one place (docs/exactly-once.md). Its Silver run folders are never
 * read (readers follow `_LATEST.json` only) and stay as they are.
 */

/** The run taken over, and when it had claimed the content. */
export interface SupersededRun {
  readonly run_id: string;
  readonly claimed_at: string;
}

const DAY_MS = 86_400_000;

/** The ingest days the run's rejected rows can be under: its start (run id) day through its claim's day. */
function ingestDays(run: SupersededRun): string[] {
  let start: number;
  try {
    start = runIdTime(run.run_id).getTime();
  } catch {
    start = Date.parse(run.claimed_at);
  }
  const end = Date.parse(run.claimed_at);
  const days: string[] = [];
  for (let at = Math.min(start, end) - (Math.min(start, end) % DAY_MS); at <= end && days.length < 3; at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** Removes a superseded run's Quarantine and Condemned objects and its quarantine-history entries; returns how many objects. */
export async function discardSupersededOutput(store: ObjectStore, layout: LakeLayout, run: SupersededRun): Promise<number> {
  let removed = 0;
  for (const day of ingestDays(run)) {
    for (const rejected of [layout.quarantine, layout.condemned]) {
      const { bucket, prefix } = rejected.runPrefix(day, run.run_id);
      for await (const object of listAll(store, bucket, prefix)) {
        await store.delete({ bucket, key: object.key });
        removed++;
      }
    }
  }
  const index = layout.control.quarantineIndexRoot();
  for (const folder of await listPrefixes(store, index.bucket, index.prefix)) {
    const month = /month=([^/]+)\/$/.exec(folder)?.[1];
    if (month === undefined) continue;
    const ref = layout.control.quarantineIndex(month, run.run_id);
    if ((await store.head(ref)) === undefined) continue;
    await store.delete(ref);
    removed++;
  }
  return removed;
}

/**
 * Whether `runId`'s claim on a content was taken over by another run (its rejected rows were
 * removed then, and the rows are that run's to decide): what readers of a run's manifest check
 * before following the rejected-row objects it lists.
 */
export async function isSupersededRun(store: ObjectStore, layout: LakeLayout, runId: string, contentSha256: string): Promise<boolean> {
  const entry = await readLedgerEntry(store, layout, contentSha256);
  return entry !== undefined && entry.run_id !== runId && entry.previous.some((claim) => claim.run_id === runId);
}
