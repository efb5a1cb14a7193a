import { hostname } from 'node:os';
import { ObjectConflictError, RunIdSchema, RunModeSchema, YearMonthSchema } from '@ledgerlake/domain';
import { type LakeLayout, listAll, type ObjectStore, JSON_PUT_OPTIONS, jsonBody, parseJson } from '@ledgerlake/storage';
import { z } from 'zod';
import { VersionRequestSchema } from '@ledgerlake/lake';

/*
 * A promotion is a transaction that always completes (docs/exactly-once.md). Before the first
 * month is committed, the run writes its whole intent, create-if-absent, to
 * `control/promotions/<run_id>.json`: every Silver month with the run's files and rows, whether it
 * appends or replaces the month, the version of each month its duplicate check read, and the month
 * Gold is rebuilt from. Every later step — each month's commit, its catalog entry, Gold, the
 * processed-file ledger, the run record — is idempotent and re-runnable from this object alone,
 * so whoever finds it (the run itself, its retry, the failure path, the next run of the dataset,
 * `ledgerlake recover`) rolls it forward. It is deleted last, once the run record says PUBLISHED:
 * while it exists the run is PROMOTING.
 */

/** Who is running a run: the execution, and on a laptop the process (so a dead one is known at once). */
export const RunHolderSchema = z.object({
  execution_arn: z.string().min(1),
  host: z.string().min(1).optional(),
  pid: z.number().int().positive().optional(),
});
/** Who is running a run. */
export type RunHolder = z.infer<typeof RunHolderSchema>;

/** Tells whether the holder of a claim or an intent is known to be dead (not merely silent). */
export interface LivenessProbe {
  isDead(holder: RunHolder): Promise<boolean>;
}

/** The executions this process is running now (the local runner's, registered by `trackLocalExecution`). */
const runningHere = new Set<string>();

/** Registers an execution this process runs until the returned function is called (when it ends, however). */
export function trackLocalExecution(executionArn: string): () => void {
  runningHere.add(executionArn);
  return () => {
    runningHere.delete(executionArn);
  };
}

/**
 * The probe of a holder on this machine, as the cloud's would ask whether its execution is still
 * RUNNING: dead when it names this host and its process is gone, or names this very process and
 * an execution that has ended. A holder on another host is never known dead (its lease expires).
 */
export const LOCAL_LIVENESS: LivenessProbe = {
  async isDead(holder) {
    if (holder.pid === undefined || holder.host !== hostname()) return false;
    if (holder.pid === process.pid) return !runningHere.has(holder.execution_arn);
    return !processAlive(holder.pid);
  },
};

/** The holder a local (laptop) run records: its execution and this process. */
export function localHolder(executionArn: string): RunHolder {
  return { execution_arn: executionArn, host: hostname(), pid: process.pid };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One Silver month of a promotion. */
export const IntentMonthSchema = z.object({
  partition: YearMonthSchema,
  /** Rows the run wrote for the month. */
  rows: z.number().int().nonnegative(),
  /** The run's own Parquet objects of the month (its run folder, Silver bucket). */
  files: z.array(z.string().min(1)),
  /** `replace`: a backfill's own month; `append` otherwise. */
  action: z.enum(['append', 'replace']),
  /** The month's version the run's duplicate check read (0: none was published). */
  checked_version: z.number().int().nonnegative(),
});
/** One Silver month of a promotion. */
export type IntentMonth = z.infer<typeof IntentMonthSchema>;

/** `control/promotions/<run_id>.json`. */
export const PromotionIntentSchema = z.object({
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  dataset: z.string().min(1),
  mode: RunModeSchema,
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The ingest day of the run (its Quarantine/Condemned folders). */
  ingest_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  begun_at: z.iso.datetime(),
  holder: RunHolderSchema,
  months: z.array(IntentMonthSchema),
  /** The earliest month Gold is rebuilt from; absent when the run has no valid rows. */
  gold_from: YearMonthSchema.optional(),
  /** A promotion a person asked for (`ledgerlake promote`): who and why, recorded in every version it commits. */
  requested: VersionRequestSchema.optional(),
});
/** A promotion's intent. */
export type PromotionIntent = z.infer<typeof PromotionIntentSchema>;

/**
 * Writes the intent unless one is there, and returns the one stored (a retried or rolled-forward
 * promotion keeps the first: what it began is what it completes).
 */
export async function writePromotionIntent(store: ObjectStore, layout: LakeLayout, intent: PromotionIntent): Promise<PromotionIntent> {
  const valid = PromotionIntentSchema.parse(intent);
  try {
    await store.putIfAbsent(layout.control.promotionIntent(valid.run_id), jsonBody(valid), JSON_PUT_OPTIONS);
    return valid;
  } catch (error) {
    if (!(error instanceof ObjectConflictError)) throw error;
    const stored = await readPromotionIntent(store, layout, valid.run_id);
    if (stored === undefined) throw error;
    return stored;
  }
}

/** A run's pending promotion, if it has one. */
export async function readPromotionIntent(store: ObjectStore, layout: LakeLayout, runId: string): Promise<PromotionIntent | undefined> {
  const ref = layout.control.promotionIntent(runId);
  const bytes = await store.getBytes(ref);
  return bytes === undefined ? undefined : parseJson(bytes, ref, PromotionIntentSchema, 'promotion intent');
}

/** Every pending promotion of the lake, oldest run first. */
export async function listPromotionIntents(store: ObjectStore, layout: LakeLayout): Promise<PromotionIntent[]> {
  const { bucket, prefix } = layout.control.promotionsPrefix();
  const runIds: string[] = [];
  for await (const object of listAll(store, bucket, prefix)) {
    const name = object.key.slice(prefix.length);
    if (name.endsWith('.json')) runIds.push(name.slice(0, -'.json'.length));
  }
  const intents: PromotionIntent[] = [];
  for (const runId of runIds.sort()) {
    const intent = await readPromotionIntent(store, layout, runId);
    if (intent !== undefined) intents.push(intent);
  }
  return intents;
}

/** Ends a completed promotion: the run is no longer PROMOTING. */
export async function deletePromotionIntent(store: ObjectStore, layout: LakeLayout, runId: string): Promise<void> {
  await store.delete(layout.control.promotionIntent(runId));
}

/**
 * The versions of the Silver months a run's duplicate check read (`YYYY-MM` → version, 0 where
 * nothing was published), kept in the run's work area by loop prevention: promotion compares the
 * run's keys with the rows of every run published in a month after that version.
 */
export const CheckedVersionsSchema = z.object({ months: z.record(YearMonthSchema, z.number().int().nonnegative()) });

function checkedVersionsRef(layout: LakeLayout, runId: string) {
  return layout.artifacts.workObject(runId, 'loop-prevention/checked-versions.json');
}

/** Records the versions a run's duplicate check read. */
export async function writeCheckedVersions(
  store: ObjectStore,
  layout: LakeLayout,
  runId: string,
  months: Readonly<Record<string, number>>,
): Promise<void> {
  await store.put(checkedVersionsRef(layout, runId), jsonBody(CheckedVersionsSchema.parse({ months })), JSON_PUT_OPTIONS);
}

/** The versions a run's duplicate check read; a month missing from them (or no record at all) counts as 0. */
export async function readCheckedVersions(store: ObjectStore, layout: LakeLayout, runId: string): Promise<Record<string, number>> {
  const ref = checkedVersionsRef(layout, runId);
  const bytes = await store.getBytes(ref);
  return bytes === undefined ? {} : parseJson(bytes, ref, CheckedVersionsSchema, 'checked versions').months;
}
