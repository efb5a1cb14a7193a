import type { ObjectRef } from '@ledgerlake/storage';
import { bronzeIgnoreOf, listBronze, pendingBronzeObjects } from '@ledgerlake/runbook';
import { type IngestOptions, type IngestOutcome, runBronzeObject } from './ingest';
import type { LocalLake } from './lake-folder';
import { createDailyTrigger, type DailyTime } from './schedule';

/*
 * `ledgerlake watch`: the local stand-in for the triggers of docs/contract/orchestration.md, "Triggers". It polls a listing of
 * Bronze through the lake's ObjectStore:
 *   - object created: every object that appears after the watch started runs once (unless a person
 *     ignored it);
 *   - daily schedule (`--daily HH:MM`, UTC) and `--once`: every Bronze object still PENDING
 *     (`@ledgerlake/runbook` `bronze.ts`: not ignored, not held or published, and not dealt with by a run that ended
 *     BLOCKED or FAILED) runs once, and none twice in one watch.
 * Knowing that costs one GET per ledger entry, run record and ignore record; hashing every Bronze
 * object would cost reading all of them.
 */

/** Why a run was started. */
export type WatchTrigger = 'object-created' | 'schedule' | 'once';

/** Options of a watch. */
export interface WatchOptions {
  readonly run: IngestOptions;
  /** Milliseconds between two listings. */
  readonly intervalMs: number;
  /** The daily trigger's time (UTC), if any. */
  readonly daily?: DailyTime;
  /** One scan of the not-yet-processed objects, then return. */
  readonly once: boolean;
  /** Stops the watch (after the run in progress, if any, ends). */
  readonly signal: AbortSignal;
  /** Called after each run. */
  readonly onOutcome: (outcome: IngestOutcome, trigger: WatchTrigger) => void;
}

/** Watches Bronze and runs the state machine per new object; resolves to every run's outcome once stopped. */
export async function watchBronze(lake: LocalLake, options: WatchOptions): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = [];
  const started = new Set<string>();
  const runAll = async (refs: readonly ObjectRef[], trigger: WatchTrigger): Promise<void> => {
    for (const ref of refs) {
      if (options.signal.aborted) return;
      const id = refId(ref);
      if (started.has(id)) continue;
      started.add(id);
      const outcome = await runBronzeObject(lake, ref, ref.key, options.run);
      outcomes.push(outcome);
      options.onOutcome(outcome, trigger);
    }
  };
  const runUnprocessed = async (trigger: WatchTrigger): Promise<void> => {
    await runAll(await pendingBronzeObjects(lake), trigger);
  };

  if (options.once) {
    await runUnprocessed('once');
    return outcomes;
  }

  const seen = new Set((await listBronze(lake)).map(refId));
  const daily = options.daily === undefined ? undefined : createDailyTrigger(options.daily, options.run.now());
  while (!options.signal.aborted) {
    await sleep(options.intervalMs, options.signal);
    if (options.signal.aborted) break;
    const fresh = (await listBronze(lake)).filter((ref) => !seen.has(refId(ref)));
    for (const ref of fresh) seen.add(refId(ref));
    const notIgnored = await Promise.all(fresh.map(async (ref) => (await bronzeIgnoreOf(lake, ref)) === undefined));
    await runAll(
      fresh.filter((_, index) => notIgnored[index]),
      'object-created',
    );
    if (daily?.due(options.run.now()) === true) await runUnprocessed('schedule');
  }
  return outcomes;
}

function refId(ref: { readonly bucket: string; readonly key: string }): string {
  return `${ref.bucket}/${ref.key}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
