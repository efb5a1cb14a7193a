import { type RunBlockedEvent, RunContextSchema } from '@ledgerlake/domain';
import { type Compressor, releaseFileClaim, writeRunRecordIfAbsent } from '@ledgerlake/pipeline';
import { z } from 'zod';
import { refreshGold, type GoldRefresh } from './gold';
import {
  blockedEvent,
  gateRun,
  promoteRun,
  type PromotionDeps,
  type PromotionResult,
  readRunManifest,
  recordBase,
} from './promote-run';

/*
 * The promotion function's four Task states (libs/state-machine): each sends `{action, run, ...}`
 * built with `Parameters`, so one deploy unit serves the gate, the blocked path, publishing and Gold.
 */

const GateSchema = z.object({ decision: z.enum(['PROMOTE', 'BLOCKED']), reasons: z.array(z.string()) });

/** The event of each promotion Task. */
export const PromotionEventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('evaluate-gate'), run: RunContextSchema }),
  z.object({ action: z.literal('record-blocked'), run: RunContextSchema, gate: GateSchema }),
  z.object({ action: z.literal('promote'), run: RunContextSchema }),
  z.object({
    action: z.literal('refresh-gold'),
    run: RunContextSchema,
    promotion: z.object({ gold_from: z.string().optional() }).loose(),
  }),
]);
/** The event of a promotion Task. */
export type PromotionEvent = z.infer<typeof PromotionEventSchema>;

/** What the promotion Tasks need beyond publishing itself. */
export interface PromotionStepDeps extends PromotionDeps {
  /** Publishes the run-blocked event to `etl-failures` (SNS in the cloud, the local alert path on a laptop). */
  readonly publish: (event: RunBlockedEvent) => Promise<void>;
  readonly compressor?: Compressor;
}

/** What the gate Task returns (`$.gate`). */
export interface GateResult {
  readonly decision: 'PROMOTE' | 'BLOCKED';
  readonly reasons: string[];
}

/** What the blocked Task returns (`$.blocked`). */
export interface BlockedResult {
  readonly status: 'BLOCKED';
  readonly reasons: string[];
  readonly claim_released: boolean;
}

/** The result of a promotion Task. */
export type PromotionStepResult = GateResult | BlockedResult | PromotionResult | GoldRefresh;

/** Runs one promotion Task. */
export async function runPromotionStep(input: unknown, deps: PromotionStepDeps): Promise<PromotionStepResult> {
  const event = PromotionEventSchema.parse(input);
  const { store, layout, logger } = deps;
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
      // Not processed: the same content may come again once the cause is fixed (e.g. the thresholds).
      const released = await releaseFileClaim(store, layout, manifest.content_sha256, runId, {
        reason: 'blocked by the promotion gate',
        at,
      });
      await deps.publish(blockedEvent(manifest, event.gate.reasons, at));
      logger?.warn('run blocked by the promotion gate', { reasons: event.gate.reasons, claim_released: released });
      return { status: 'BLOCKED', reasons: event.gate.reasons, claim_released: released };
    }
    case 'promote':
      return promoteRun(runId, deps);
    case 'refresh-gold': {
      const from = event.promotion.gold_from;
      if (from === undefined) return { months: [], committed: 0, passes: 0 };
      const refreshed = await refreshGold(from, {
        store,
        layout,
        catalog: deps.catalog,
        runId,
        executionArn: event.run.execution_arn,
        now,
        ...(deps.compressor === undefined ? {} : { compressor: deps.compressor }),
      });
      logger?.info('gold rebuilt', { from, months: refreshed.months.length, committed: refreshed.committed, passes: refreshed.passes });
      return refreshed;
    }
  }
}
