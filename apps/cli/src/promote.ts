import { randomBytes } from 'node:crypto';
import { formatRunId, RunIdSchema } from '@ledgerlake/domain';
import { LakeCatalog, parseMonthName } from '@ledgerlake/pipeline';
import {
  DEFAULT_GATE_THRESHOLDS,
  PromotionError,
  refreshGold,
  restorePartition,
  RunBlockedError,
} from '@ledgerlake/promotion';
import { localExecutionArn } from '@ledgerlake/state-machine';
import { CliError, EXIT } from './cli-error';
import type { LocalLake, LocalWiring } from './local-lake';

/** What `ledgerlake promote` did. */
export interface PromoteOutcome {
  /** The run whose state the month now shows. */
  readonly run_id: string;
  readonly partition: string;
  /** `rollback`: the month restored to right after `run_id` was promoted; `promote`: `run_id` promoted there now. */
  readonly action: 'rollback' | 'promote';
  /** The month's new version. */
  readonly version: number;
  readonly restored_version?: number;
  /** Rows the month now publishes (`rollback`), or the run's rows in it (`promote`). */
  readonly rows: number;
  /** The id this operation committed under (versions and Gold name it). */
  readonly operation_id: string;
  /** Gold months rebuilt. */
  readonly gold_months: string[];
}

/**
 * `ledgerlake promote --run RUN_ID --partition YYYY-MM`: the month's published state becomes what
 * it was right after RUN_ID was promoted into it (a rollback, committed as a new version), or, for
 * a run never promoted there, RUN_ID is promoted now through the gate; then Gold is rebuilt from
 * the month on. A blocked run is refused (exit 3).
 */
export async function promotePartition(
  lake: LocalLake,
  runId: string,
  partition: string,
  options: { readonly now: () => Date; readonly wiring?: LocalWiring },
): Promise<PromoteOutcome> {
  if (!RunIdSchema.safeParse(runId).success) {
    throw new CliError(`${JSON.stringify(runId)} is not a run id (see \`ledgerlake runs\`).`, EXIT.usage);
  }
  const operationId = formatRunId(options.now(), `p${randomBytes(4).toString('hex').slice(0, 5)}`);
  const executionArn = localExecutionArn(operationId, 'ledgerlake-promote');
  const { store, layout } = lake;
  const catalog = new LakeCatalog(store, layout);
  const thresholds = options.wiring?.thresholds ?? DEFAULT_GATE_THRESHOLDS;
  let restored;
  try {
    restored = await restorePartition(runId, parseMonthName(partition), { runId: operationId, executionArn }, {
      store,
      layout,
      catalog,
      thresholds,
      now: options.now,
    });
  } catch (error) {
    if (error instanceof RunBlockedError) throw new CliError(`Run ${runId} is blocked by the promotion gate: ${error.reasons.join('; ')}.`, EXIT.blocked);
    if (error instanceof PromotionError) throw new CliError(error.message.replace(/^promotion: /, ''));
    throw error;
  }
  const gold = await refreshGold(partition, { store, layout, catalog, runId: operationId, executionArn, now: options.now });
  return {
    run_id: runId,
    partition,
    action: restored.action,
    version: restored.version,
    ...(restored.restored_version === undefined ? {} : { restored_version: restored.restored_version }),
    rows: restored.rows,
    operation_id: operationId,
    gold_months: gold.months,
  };
}

/** The readable summary of a promote. */
export function formatPromoteOutcome(outcome: PromoteOutcome): string {
  const head =
    outcome.action === 'rollback'
      ? `ROLLED BACK ${outcome.partition} to its state right after run ${outcome.run_id} (version ${outcome.restored_version}), now version ${outcome.version}: ${outcome.rows} rows published`
      : `PROMOTED   run ${outcome.run_id} into ${outcome.partition}, now version ${outcome.version}: ${outcome.rows} rows added`;
  const gold = outcome.gold_months.length === 0 ? 'Gold unchanged' : `Gold rebuilt for ${outcome.gold_months[0]}..${outcome.gold_months.at(-1)}`;
  return `${head}\n  ${gold}\n`;
}
