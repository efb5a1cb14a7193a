import { PromotionError } from '@ledgerlake/domain';
import type { RunBlockedEvent } from '@ledgerlake/domain';
import {
  type BlockedResult,
  type CheckedResult,
  type GateVerdict,
  type GoldRefresh,
  parseTaskEvent,
  type PromotionResult,
  type RecoverySummary,
  type RollForwardResult,
  ROW_PIPELINE,
} from '@ledgerlake/contract';
import { readPromotionIntent, readRunRecord, releaseFileClaim, writeRunRecordIfAbsent } from '@ledgerlake/ledgers';
import { tidyWorkArea } from '@ledgerlake/work-area';
import { z } from 'zod';
import {
  beginPromotion,
  blockedEvent,
  commitPromotion,
  completePromotion,
  gateRun,
  type PromotionDeps,
  promotionResult,
  readRunManifest,
  recordBase,
  recoverPromotions,
  type RecoveryResult,
} from './promote-run';
import { restoreMonth, type RestoreMonthOutcome, RestoreMonthRequestSchema } from './restore-month';

/*
 * The promotion function's Task states (libs/state-machine): each sends `{action, run, ...}` built
 * with `Parameters`, so one deploy unit serves recovery, the gate, the blocked path, publishing,
 * Gold and the roll-forward of an interrupted promotion (docs/exactly-once.md).
 */

/** The event of each promotion Task: the row pipeline's (libs/contract state-contract.ts) and the starter's. */
export const PromotionEventSchema = z.discriminatedUnion('action', [
  ROW_PIPELINE.EvaluateGate.event,
  ROW_PIPELINE.RecordBlocked.event,
  ROW_PIPELINE.RecordDryRun.event,
  ROW_PIPELINE.Promote.event,
  ROW_PIPELINE.RefreshGold.event,
  ROW_PIPELINE.RecoverPromotions.event,
  ROW_PIPELINE.RollForward.event,
  // The starter's operations (infra/starter.asl.json), asked for by `ledgerlake promote` / `recover` on a stage.
  z.object({ action: z.literal('restore-month'), request: RestoreMonthRequestSchema }),
  z.object({ action: z.literal('recover-all'), force: z.boolean() }),
]);
/** The event of a promotion Task. */
export type PromotionEvent = z.infer<typeof PromotionEventSchema>;

/** What the promotion Tasks need beyond publishing itself. */
export interface PromotionStepDeps extends PromotionDeps {
  /** Publishes the run-blocked event to `etl-failures` (SNS in the cloud, the local alert path on a laptop). */
  readonly publish: (event: RunBlockedEvent) => Promise<void>;
}

/** The result of a promotion Task. */
export type PromotionStepResult =
  | GateVerdict
  | BlockedResult
  | CheckedResult
  | PromotionResult
  | GoldRefresh
  | RecoverySummary
  | RollForwardResult
  | RestoreMonthOutcome
  | RecoveryResult;

/** Runs one promotion Task. */
export async function runPromotionStep(input: unknown, deps: PromotionStepDeps): Promise<PromotionStepResult> {
  const event = parseTaskEvent(PromotionEventSchema, input, 'a promotion Task');
  const { store, layout, logger } = deps;
  if (event.action === 'restore-month') {
    const outcome = await restoreMonth(event.request, deps);
    logger?.info('month restored', { partition: outcome.partition, action: outcome.action, committed: outcome.committed, version: outcome.version, by: outcome.by });
    return outcome;
  }
  if (event.action === 'recover-all') {
    const recovered = await recoverPromotions(deps, { force: event.force });
    logger?.info('promotions recovered', { recovered: recovered.recovered.length, live: recovered.live.length, failed: recovered.failed.length });
    return recovered;
  }
  const now = deps.now ?? (() => new Date());
  const runId = event.run.run_id;
  switch (event.action) {
    case 'evaluate-gate': {
      const verdict = gateRun(await readRunManifest(store, layout, runId), deps.thresholds);
      logger?.info('promotion gate evaluated', { decision: verdict.decision, reasons: verdict.reasons });
      return verdict;
    }
    case 'record-blocked': {
      const manifest = await readRunManifest(store, layout, runId);
      const at = now();
      await writeRunRecordIfAbsent(store, layout, {
        status: 'BLOCKED',
        ...recordBase(manifest),
        blocked_at: at.toISOString(),
        reasons: event.gate.reasons,
      });
      // Not processed: the content runs again when a person asks (a re-run, `ingest --force`), e.g. once the cause is fixed.
      const released = await releaseFileClaim(store, layout, manifest.content_sha256, runId, {
        outcome: 'BLOCKED',
        reason: 'blocked by the promotion gate',
        at,
      });
      await deps.publish(blockedEvent(manifest, event.gate.reasons, at));
      logger?.warn('run blocked by the promotion gate', { reasons: event.gate.reasons, claim_released: released });
      await tidyWorkArea(store, layout, runId, logger);
      return { status: 'BLOCKED', reasons: event.gate.reasons, claim_released: released };
    }
    case 'record-dry-run': {
      // A dry run ends here whatever the gate says: recorded, its claim released, nothing published.
      const manifest = await readRunManifest(store, layout, runId);
      const at = now();
      await writeRunRecordIfAbsent(store, layout, {
        status: 'CHECKED',
        ...recordBase(manifest),
        checked_at: at.toISOString(),
        gate: event.gate,
      });
      const released = await releaseFileClaim(store, layout, manifest.content_sha256, runId, {
        outcome: 'CHECKED',
        reason: 'a dry run: checked, never published',
        at,
      });
      logger?.info('dry run checked, nothing published', { decision: event.gate.decision, claim_released: released });
      await tidyWorkArea(store, layout, runId, logger);
      return { status: 'CHECKED', decision: event.gate.decision, reasons: event.gate.reasons, claim_released: released };
    }
    case 'promote': {
      // A retry after the promotion completed finds its record: nothing is begun again.
      const done = await publishedResult(store, layout, runId);
      if (done !== undefined) return done;
      // The intent first: from here on the run is PROMOTING, and whoever finds it completes it.
      return promotionResult(runId, 'COMMITTED', await commitPromotion(await beginPromotion(runId, deps), deps));
    }
    case 'refresh-gold': {
      const intent = await readPromotionIntent(store, layout, runId);
      if (intent === undefined) {
        // Completed already (a retry after the intent was deleted): the record must say so.
        if ((await readRunRecord(store, layout, runId))?.status === 'PUBLISHED') return { months: [], committed: 0, passes: 0 };
        throw new PromotionError(`promotion: run ${runId} has no promotion to complete`);
      }
      const { gold } = await completePromotion(intent, deps);
      logger?.info('gold rebuilt', { from: intent.gold_from, months: gold.months.length, committed: gold.committed, passes: gold.passes });
      return gold;
    }
    case 'recover': {
      const recovered: RecoveryResult = await recoverPromotions(deps, { exceptRunId: runId });
      return { recovered: recovered.recovered.length, live: recovered.live.length, failed: recovered.failed.length };
    }
    case 'roll-forward': {
      const intent = await readPromotionIntent(store, layout, runId);
      if (intent === undefined) return (await publishedResult(store, layout, runId)) ?? { run_id: runId, status: 'NOT_BEGUN' };
      const { promotion } = await completePromotion(intent, deps);
      logger?.warn('promotion rolled forward after a failed step', { partitions: promotion.partitions.length });
      return promotion;
    }
  }
}

/** What promotion returns for a run its record already says is PUBLISHED (a retried Task); `undefined` otherwise. */
async function publishedResult(
  store: PromotionStepDeps['store'],
  layout: PromotionStepDeps['layout'],
  runId: string,
): Promise<(PromotionResult & { readonly status: 'PUBLISHED' }) | undefined> {
  const record = await readRunRecord(store, layout, runId);
  if (record?.status !== 'PUBLISHED') return undefined;
  const partitions = record.partitions.map((p) => ({ ...p, action: 'append' as const, committed: false, conflicts: 0, late_condemned: 0 }));
  return promotionResult(runId, 'PUBLISHED', partitions);
}
