import { RunbookRefusedError, RunIdSchema } from '@ledgerlake/domain';
import {
  type BronzeIgnore,
  ignoreBronzeObject,
  LedgerEntrySchema,
  readBronzeIgnore,
  readRunRecord,
  type RunRecord,
  settledOutcome,
} from '@ledgerlake/ledgers';
import { basename } from 'node:path';
import { isRunbookFileName, listAll, listPrefixes, type ObjectRef } from '@ledgerlake/storage';
import { RunbookError } from './errors';
import type { Lake } from './lake';

/*
 * What the lake knows of each Bronze object, and so whether the triggers run it (`watch`: the
 * object-created poll, `--daily`, `--once`). An object is PENDING — run at the next scan — unless:
 *   - a person ignored it (`ledgerlake bronze ignore`, `control/bronze/ignored/`), or
 *   - a processed-file ledger entry naming it is claimed (a run holds it), processed (published),
 *     or released by a run that ended BLOCKED or FAILED, or
 *   - its latest run's record (`runs/<id>/run.json`, matched by `source`) says PUBLISHED, BLOCKED
 *     or FAILED (this also covers a run that failed before it claimed the content, e.g. a missing
 *     column, which has no ledger entry).
 * A BLOCKED or FAILED object is dealt with: it runs again only when a person asks (`ledgerlake runs
 * rerun`, `ingest --force`). An INTERRUPTED one (a person stopped it) is pending again.
 */

/** Where a Bronze object stands. */
export type BronzeState = 'PENDING' | 'RUNNING' | 'PUBLISHED' | 'BLOCKED' | 'FAILED' | 'IGNORED';

/** One Bronze object as `bronze list` prints it. */
export interface BronzeObject {
  readonly key: string;
  readonly state: BronzeState;
  /** The object's latest run with a record, if any. */
  readonly last_run: { readonly run_id: string; readonly status: RunRecord['status'] } | null;
  /** IGNORED: who, when, why. */
  readonly ignored?: BronzeIgnore;
}

/** Every landed file in Bronze (`<dataset>ingest_date=YYYY-MM-DD/<file>`), in key order. */
export async function listBronze(lake: Lake): Promise<ObjectRef[]> {
  const { bucket, prefix } = lake.layout.bronze.tablePrefix();
  const refs: ObjectRef[] = [];
  for await (const { key } of listAll(lake.store, bucket, prefix)) {
    if (/^ingest_date=\d{4}-\d{2}-\d{2}\/[^/]+$/.test(key.slice(prefix.length))) refs.push({ bucket, key });
  }
  return refs;
}

/** Every Bronze object with its state, in key order. */
export async function bronzeObjects(lake: Lake): Promise<BronzeObject[]> {
  const [refs, ledger, runs, ignored] = await Promise.all([listBronze(lake), ledgerStates(lake), latestRuns(lake), ignoredKeys(lake)]);
  return refs.map((ref) => {
    const id = refId(ref);
    const claim = ledger.get(id);
    // The run holding the content's claim is its latest (run ids of one second do not order).
    const run = (claim === undefined ? undefined : runs.byId.get(claim.run_id)) ?? runs.latest.get(id);
    const last_run = run === undefined ? null : { run_id: run.run_id, status: run.status };
    const ignore = ignored.get(ref.key);
    if (ignore !== undefined) return { key: ref.key, state: 'IGNORED', last_run, ignored: ignore };
    return { key: ref.key, state: stateOf(claim?.state, run), last_run };
  });
}

/**
 * The Bronze objects the triggers run: those PENDING, except the runbook's own files (a retry's rows,
 * a backfill's input), whose runs the command that landed them starts — as the cloud's starter does.
 */
export async function pendingBronzeObjects(lake: Lake): Promise<ObjectRef[]> {
  const { bucket } = lake.layout.bronze.tablePrefix();
  return (await bronzeObjects(lake))
    .filter((object) => object.state === 'PENDING' && !isRunbookFileName(basename(object.key)))
    .map(({ key }) => ({ bucket, key }));
}

/** The state from the ledger entry naming the object (its state there) and its latest run record. */
function stateOf(ledger: BronzeState | undefined, run: RunRecord | undefined): BronzeState {
  if (run?.status === 'PUBLISHED' || run?.status === 'BLOCKED' || run?.status === 'FAILED') {
    // A later claim (a re-run in progress) wins over the record of the run before it.
    return ledger === 'RUNNING' ? 'RUNNING' : run.status;
  }
  return ledger ?? 'PENDING';
}

/** Per Bronze object (`bucket/key`), what the processed-file ledger entry naming it as `source` says, and its run. */
async function ledgerStates(lake: Lake): Promise<Map<string, { state: BronzeState | undefined; run_id: string }>> {
  const { bucket, prefix } = lake.layout.control.processedFilesPrefix();
  const states = new Map<string, { state: BronzeState | undefined; run_id: string }>();
  for await (const { key } of listAll(lake.store, bucket, prefix)) {
    if (!key.endsWith('.json')) continue;
    const bytes = await lake.store.getBytes({ bucket, key });
    if (bytes === undefined) continue;
    const parsed = LedgerEntrySchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    if (!parsed.success) continue;
    const entry = parsed.data;
    const settled = settledOutcome(entry);
    const state: BronzeState | undefined =
      entry.status === 'claimed' ? 'RUNNING' : entry.status === 'processed' ? 'PUBLISHED' : settled === 'blocked' ? 'BLOCKED' : settled === 'failed' ? 'FAILED' : undefined;
    states.set(refId(entry.source), { state, run_id: entry.run_id });
  }
  return states;
}

/** Every run record by run id, and per Bronze object (`bucket/key`) the record of its latest run (run ids sort by start). */
async function latestRuns(lake: Lake): Promise<{ byId: Map<string, RunRecord>; latest: Map<string, RunRecord> }> {
  const { bucket, prefix } = lake.layout.artifacts.runsPrefix();
  const runIds = (await listPrefixes(lake.store, bucket, prefix))
    .map((runPrefix) => runPrefix.slice(prefix.length, -1))
    .filter((runId) => RunIdSchema.safeParse(runId).success)
    .sort();
  const byId = new Map<string, RunRecord>();
  const latest = new Map<string, RunRecord>();
  for (const runId of runIds) {
    const record = await readRunRecord(lake.store, lake.layout, runId);
    if (record === undefined) continue;
    byId.set(runId, record);
    latest.set(refId(record.source), record);
  }
  return { byId, latest };
}

async function ignoredKeys(lake: Lake): Promise<Map<string, BronzeIgnore>> {
  const { bucket, prefix } = lake.layout.control.ignoredBronzePrefix();
  const ignored = new Map<string, BronzeIgnore>();
  for await (const { key } of listAll(lake.store, bucket, prefix)) {
    if (!key.endsWith('.json')) continue;
    const record = await readBronzeIgnore(lake.store, lake.layout, key.slice(prefix.length, -'.json'.length));
    if (record !== undefined) ignored.set(record.bronze_key, record);
  }
  return ignored;
}

/** The ignore record of a Bronze object, if a person ignored it. */
export function bronzeIgnoreOf(lake: Lake, ref: ObjectRef): Promise<BronzeIgnore | undefined> {
  return ref.bucket === lake.layout.buckets.bronze ? readBronzeIgnore(lake.store, lake.layout, ref.key) : Promise.resolve(undefined);
}

/**
 * `bronze ignore KEY --by NAME --reason TEXT`: records that no trigger, sweep or ingest runs the
 * object (who, when, why, its last run). The key must be a landed file in Bronze.
 */
export async function ignoreBronze(lake: Lake, key: string, who: { by: string; reason: string }, at: Date): Promise<BronzeIgnore> {
  const object = (await bronzeObjects(lake)).find((candidate) => candidate.key === key);
  if (object === undefined) throw new RunbookError('unknown-bronze-file', `Bronze has no file ${key} (see \`ledgerlake bronze list\`); nothing was recorded.`);
  try {
    return await ignoreBronzeObject(lake.store, lake.layout, {
      bronze_key: key,
      ...who,
      at: at.toISOString(),
      last_run_id: object.last_run?.run_id ?? null,
    });
  } catch (error) {
    if (error instanceof RunbookRefusedError) throw new RunbookError('refused', `Refused: ${error.message}; nothing was recorded.`);
    throw error;
  }
}

/** How an ignore record reads in a sentence: `ignored by NAME at TIME (REASON)`. */
export function formatIgnored(record: BronzeIgnore): string {
  return `ignored by ${record.by} at ${record.at} (${record.reason})`;
}

function refId(ref: { readonly bucket: string; readonly key: string }): string {
  return `${ref.bucket}/${ref.key}`;
}
