import { randomBytes } from 'node:crypto';
import { formatRunId, PromotionError, RunBlockedError, RunIdSchema, count } from '@ledgerlake/domain';
import type { VersionRequest } from '@ledgerlake/lake';
import { restoreMonth, type RestoreMonthOutcome, type RestoreMonthRequest } from '@ledgerlake/promotion';
import { localExecutionArn } from '@ledgerlake/state-machine';
import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';
import { type LocalWiring, promotionBackends } from './local-lake';

/** What `ledgerlake promote` did (apps/promotion restore-month.ts, the same on a lake folder and a stage). */
export type PromoteOutcome = RestoreMonthOutcome;

/** The run id and who asked, checked before anything starts; the operation's id and instant (its execution is the caller's). */
export function promoteRequest(
  request: { readonly runId: string; readonly partition: string; readonly requested: VersionRequest },
  at: Date,
): Omit<RestoreMonthRequest, 'execution_arn'> {
  if (!RunIdSchema.safeParse(request.runId).success) {
    throw new CliError(`${JSON.stringify(request.runId)} is not a run id (see \`ledgerlake runs\`).`, EXIT.usage);
  }
  const operationId = formatRunId(at, `p${randomBytes(4).toString('hex').slice(0, 5)}`);
  return {
    run_id: request.runId,
    partition: request.partition,
    by: request.requested.by,
    reason: request.requested.reason,
    operation_id: operationId,
    at: at.toISOString(),
  };
}

/** The sentence of a restore the promotion refused: a blocked run (exit 3), or why there is nothing to restore. */
export function describeRestoreError(error: { readonly name: string; readonly message: string }, runId: string, reasons?: readonly string[]): CliError | undefined {
  if (error.name === 'RunBlockedError') {
    const why = reasons?.join('; ') ?? error.message.replace(/^promotion: run \S+ is blocked by the promotion gate: /, '');
    return new CliError(`Run ${runId} is blocked by the promotion gate: ${why}.`, EXIT.blocked);
  }
  if (error.name === 'PromotionError') return new CliError(error.message.replace(/^promotion: /, ''));
  return undefined;
}

/**
 * `ledgerlake promote --run RUN_ID --partition YYYY-MM --by NAME --reason TEXT` on a lake folder:
 * the month's published state becomes what it was right after RUN_ID was promoted into it (a
 * rollback, committed as a new version), or, for a run never promoted there, RUN_ID is promoted
 * now through the gate (`restoreMonth`); then Gold is rebuilt from the month on. A blocked run is
 * refused (exit 3). On a stage the starter runs the same core (`cloud-runs.ts`).
 */
export async function promotePartition(
  lake: LocalLake,
  request: { readonly runId: string; readonly partition: string; readonly requested: VersionRequest },
  options: { readonly now: () => Date; readonly wiring?: LocalWiring },
): Promise<PromoteOutcome> {
  const asked = promoteRequest(request, options.now());
  const { gold, catalog, thresholds } = promotionBackends(lake, options.wiring);
  try {
    return await restoreMonth({ ...asked, execution_arn: localExecutionArn(asked.operation_id, 'ledgerlake-promote') }, {
      store: lake.store,
      layout: lake.layout,
      catalog,
      thresholds,
      now: options.now,
      gold,
    });
  } catch (error) {
    if (error instanceof RunBlockedError) throw describeRestoreError(error, request.runId, error.reasons) as CliError;
    if (error instanceof PromotionError) throw describeRestoreError(error, request.runId) as CliError;
    throw error;
  }
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
          ? `ROLLED BACK ${outcome.partition} to ${state}, now version ${outcome.version}: ${count(outcome.rows, 'row')} published`
          : `PROMOTED   run ${outcome.run_id} into ${outcome.partition}, now version ${outcome.version}: ${count(outcome.rows, 'row')} added`,
        `  by ${outcome.by}: ${outcome.reason}`,
      ];
  lines.push(outcome.gold_months.length === 0 ? '  Gold unchanged' : `  Gold rebuilt for ${outcome.gold_months[0]}..${outcome.gold_months.at(-1)}`);
  return `${lines.join('\n')}\n`;
}
