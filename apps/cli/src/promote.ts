import { randomBytes } from 'node:crypto';
import { formatRunId, RunIdSchema } from '@ledgerlake/domain';
import { parseMonthName, type VersionRequest } from '@ledgerlake/pipeline';
import {
  DEFAULT_GATE_THRESHOLDS,
  PromotionError,
  refreshGold,
  restorePartition,
  RunBlockedError,
} from '@ledgerlake/promotion';
import { localExecutionArn } from '@ledgerlake/state-machine';
import { CliError, EXIT } from './cli-error';
import { type LocalLake, type LocalWiring, promotionBackends } from './local-lake';

/** What `ledgerlake promote` did. */
export interface PromoteOutcome {
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
  /** Who asked and why (recorded in the version committed). */
  readonly by: string;
  readonly reason: string;
  /** When it was asked (the committed version's `promoted_at`). */
  readonly at: string;
  /** The id this operation committed under (versions and Gold name it). */
  readonly operation_id: string;
  /** Gold months rebuilt (none when Gold already matched Silver). */
  readonly gold_months: string[];
}

/**
 * `ledgerlake promote --run RUN_ID --partition YYYY-MM --by NAME --reason TEXT`: the month's
 * published state becomes what it was right after RUN_ID was promoted into it (a rollback,
 * committed as a new version), or, for a run never promoted there, RUN_ID is promoted now through
 * the gate; the version records who asked, why and when. A month already in that state is left
 * as it is (`committed: false`). Then Gold is rebuilt from the month on where it no longer matches
 * Silver. A blocked run is refused (exit 3).
 */
export async function promotePartition(
  lake: LocalLake,
  request: { readonly runId: string; readonly partition: string; readonly requested: VersionRequest },
  options: { readonly now: () => Date; readonly wiring?: LocalWiring },
): Promise<PromoteOutcome> {
  const { runId, partition, requested } = request;
  if (!RunIdSchema.safeParse(runId).success) {
    throw new CliError(`${JSON.stringify(runId)} is not a run id (see \`ledgerlake runs\`).`, EXIT.usage);
  }
  // One instant for the whole operation: its id, the version it commits and what it prints.
  const at = options.now();
  const now = () => at;
  const operationId = formatRunId(at, `p${randomBytes(4).toString('hex').slice(0, 5)}`);
  const executionArn = localExecutionArn(operationId, 'ledgerlake-promote');
  const { store, layout } = lake;
  const { gold: engine, catalog } = promotionBackends(lake, options.wiring);
  const thresholds = options.wiring?.thresholds ?? DEFAULT_GATE_THRESHOLDS;
  let restored;
  try {
    restored = await restorePartition(runId, parseMonthName(partition), { runId: operationId, executionArn, requested }, {
      store,
      layout,
      catalog,
      thresholds,
      now,
      gold: engine,
    });
  } catch (error) {
    if (error instanceof RunBlockedError) throw new CliError(`Run ${runId} is blocked by the promotion gate: ${error.reasons.join('; ')}.`, EXIT.blocked);
    if (error instanceof PromotionError) throw new CliError(error.message.replace(/^promotion: /, ''));
    throw error;
  }
  // Also after a rollback that committed nothing: a rollback cut off before its Gold left Gold behind Silver.
  const gold = await refreshGold(partition, { store, layout, catalog, runId: operationId, executionArn, now: options.now, gold: engine });
  return {
    run_id: runId,
    partition,
    action: restored.action,
    committed: restored.committed,
    version: restored.version,
    ...(restored.restored_version === undefined ? {} : { restored_version: restored.restored_version }),
    rows: restored.rows,
    by: requested.by,
    reason: requested.reason,
    at: at.toISOString(),
    operation_id: operationId,
    gold_months: gold.committed === 0 ? [] : gold.months,
  };
}

/** The readable summary of a promote. */
export function formatPromoteOutcome(outcome: PromoteOutcome): string {
  const state = `its state right after run ${outcome.run_id} (version ${outcome.restored_version})`;
  const lines = !outcome.committed
    ? [
        outcome.action === 'rollback'
          ? `UNCHANGED ${outcome.partition} already shows ${state}: version ${outcome.version} stays current, nothing committed`
          : `UNCHANGED run ${outcome.run_id} is already published in ${outcome.partition} (version ${outcome.version}), nothing committed`,
      ]
    : [
        outcome.action === 'rollback'
          ? `ROLLED BACK ${outcome.partition} to ${state}, now version ${outcome.version}: ${outcome.rows} rows published`
          : `PROMOTED   run ${outcome.run_id} into ${outcome.partition}, now version ${outcome.version}: ${outcome.rows} rows added`,
        `  by ${outcome.by}: ${outcome.reason}`,
      ];
  lines.push(outcome.gold_months.length === 0 ? '  Gold unchanged' : `  Gold rebuilt for ${outcome.gold_months[0]}..${outcome.gold_months.at(-1)}`);
  return `${lines.join('\n')}\n`;
}
