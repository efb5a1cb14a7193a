import { RunIdSchema } from '@ledgerlake/domain';
import { parseMonthName, VersionRequestSchema } from '@ledgerlake/lake';
import { z } from 'zod';
import { refreshGold } from './gold';
import { type PromotionDeps, restorePartition } from './promote-run';

/*
 * A month rolled back to its state right after an earlier run's promotion, or an earlier run
 * promoted into it now (`restorePartition`), then Gold rebuilt from that month on: what
 * `ledgerlake promote` does. One core for both targets — in-process on a lake folder; on a
 * deployed stage the starter's RestoreMonth Task runs it in the promotion function
 * (infra/starter.asl.json), so an operator starts it with StartExecution on the starter only.
 */

/** What a restore is asked for: the run and month, who and why, and the operation's own id and execution. */
export const RestoreMonthRequestSchema = z.object({
  run_id: RunIdSchema,
  partition: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  by: VersionRequestSchema.shape.by,
  reason: VersionRequestSchema.shape.reason,
  /** The id the operation commits its versions under (versions and Gold name it). */
  operation_id: RunIdSchema,
  /** When it was asked (the committed version's `promoted_at`). */
  at: z.iso.datetime(),
  /** The execution that holds the operation (the starter's on a stage; a local id on a laptop). */
  execution_arn: z.string().min(1),
});
/** What a restore is asked for. */
export type RestoreMonthRequest = z.infer<typeof RestoreMonthRequestSchema>;

/** What a restore did (what `ledgerlake promote` prints). */
export interface RestoreMonthOutcome {
  /** The run whose state the month now shows. */
  readonly run_id: string;
  readonly partition: string;
  /** `rollback`: the month restored to right after `run_id` was promoted; `promote`: `run_id` promoted there now. */
  readonly action: 'rollback' | 'promote';
  /** False when the month already showed that state: no version was committed. */
  readonly committed: boolean;
  /** The month's version now: the new one, or the current one when nothing was committed. */
  readonly version: number;
  readonly restored_version?: number;
  /** Rows the month now publishes (`rollback`), or the run's rows in it (`promote`). */
  readonly rows: number;
  readonly by: string;
  readonly reason: string;
  readonly at: string;
  readonly operation_id: string;
  /** Gold months rebuilt (none when Gold already matched Silver). */
  readonly gold_months: string[];
}

/** Restores the month (a `RunBlockedError` for a blocked run, a `PromotionError` for a run with nothing there), then rebuilds Gold. */
export async function restoreMonth(request: RestoreMonthRequest, deps: PromotionDeps): Promise<RestoreMonthOutcome> {
  const { run_id: runId, partition, by, reason, operation_id: operationId, execution_arn: executionArn } = RestoreMonthRequestSchema.parse(request);
  const at = new Date(request.at);
  const requested = { by, reason };
  // One instant for the versions the operation commits.
  const restored = await restorePartition(runId, parseMonthName(partition), { runId: operationId, executionArn, requested }, { ...deps, now: () => at });
  // Also after a rollback that committed nothing: a rollback cut off before its Gold left Gold behind Silver.
  const gold = await refreshGold(partition, {
    store: deps.store,
    layout: deps.layout,
    catalog: deps.catalog,
    runId: operationId,
    executionArn,
    now: deps.now ?? (() => new Date()),
    gold: deps.gold,
  });
  return {
    run_id: runId,
    partition,
    action: restored.action,
    committed: restored.committed,
    version: restored.version,
    ...(restored.restored_version === undefined ? {} : { restored_version: restored.restored_version }),
    rows: restored.rows,
    by,
    reason,
    at: at.toISOString(),
    operation_id: operationId,
    gold_months: gold.committed === 0 ? [] : gold.months,
  };
}
