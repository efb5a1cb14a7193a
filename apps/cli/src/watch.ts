import { LedgerEntrySchema } from '@ledgerlake/pipeline';
import type { ObjectRef } from '@ledgerlake/storage';
import { type IngestOptions, type IngestOutcome, runBronzeObject } from './ingest';
import type { LocalLake } from './local-lake';
import { createDailyTrigger, type DailyTime } from './schedule';

/*
 * `ledgerlake watch`: the local stand-in for the triggers of PRODUCT.md §7. It polls a listing of
 * Bronze through the lake's ObjectStore:
 *   - object created: every object that appears after the watch started runs once;
 *   - daily schedule (`--daily HH:MM`, UTC) and `--once`: every Bronze object not yet processed
 *     runs once.
 * "Not yet processed": no run was started for it by this watcher, and no processed-file ledger
 * entry that is `claimed` or `processed` names it as its `source` (bucket and key). Locally nothing
 * marks entries `processed` yet (promotion is not built), and a live or published claim blocks
 * the content anyway, so both count. A `released` entry (its run failed) or none at all (the run
 * failed before loop prevention) leaves the object to be run again, as the ledger's re-drive rule
 * allows. Reading the ledger entries costs one GET each; hashing every Bronze object would cost
 * reading all of them.
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
    const handled = await ledgerSources(lake);
    const objects = await listBronze(lake);
    await runAll(
      objects.filter((ref) => !handled.has(refId(ref))),
      trigger,
    );
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
    await runAll(fresh, 'object-created');
    if (daily?.due(options.run.now()) === true) await runUnprocessed('schedule');
  }
  return outcomes;
}

/** Every landed file in Bronze (`<dataset>ingest_date=YYYY-MM-DD/<file>`), in key order. */
export async function listBronze(lake: LocalLake): Promise<ObjectRef[]> {
  const { bucket, prefix } = lake.layout.bronze.tablePrefix();
  const refs: ObjectRef[] = [];
  for await (const key of listKeys(lake, bucket, prefix)) {
    if (/^ingest_date=\d{4}-\d{2}-\d{2}\/[^/]+$/.test(key.slice(prefix.length))) refs.push({ bucket, key });
  }
  return refs;
}

/** The Bronze objects (`bucket/key`) named by a `claimed` or `processed` ledger entry. */
async function ledgerSources(lake: LocalLake): Promise<Set<string>> {
  const { bucket, prefix } = lake.layout.control.processedFilesPrefix();
  const sources = new Set<string>();
  for await (const key of listKeys(lake, bucket, prefix)) {
    if (!key.endsWith('.json')) continue;
    const bytes = await lake.store.getBytes({ bucket, key });
    if (bytes === undefined) continue;
    const parsed = LedgerEntrySchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    if (parsed.success && parsed.data.status !== 'released') sources.add(refId(parsed.data.source));
  }
  return sources;
}

async function* listKeys(lake: LocalLake, bucket: string, prefix: string): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await lake.store.list(bucket, prefix, token === undefined ? {} : { token });
    for (const object of page.objects) yield object.key;
    token = page.nextToken;
  } while (token !== undefined);
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
