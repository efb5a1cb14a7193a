import { parseTaskEvent, type ReportResult, ROW_PIPELINE } from '@ledgerlake/contract';
import { readRetryRecord } from '@ledgerlake/ledgers';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import type { CoreLogger } from '../record-failure';
import type { Span } from './charts';
import type { TrailLink } from './facts';
import { writeRunReport } from './write';

/*
 * The `ReportRun` Task (libs/state-machine row-pipeline.asl.json): every run's last step, on every
 * path (published, blocked, checked, skipped, failed), writes its report. It reads what the run left
 * in the lake; the state only tells it the run and whether loop prevention skipped it. Its own
 * failure never changes how the run ends: the Task catches it (the run's log says why).
 */

/** Where the report's trail points and what else only the environment knows. */
export interface ReportRunDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** `local lake <dir>` or `stage <name> (<region>)`. */
  readonly where: string;
  /** The states of the run's execution so far, with their times. */
  readonly timeline?: (executionArn: string) => Promise<readonly Span[]>;
  /** The execution's links: the console's execution page, its Logs Insights query, its traces. */
  readonly links?: (runId: string, executionArn: string) => readonly TrailLink[];
  /** The command that shows the run's log lines. */
  readonly logsCommand?: (runId: string) => string;
  readonly logger?: CoreLogger;
}

/** Writes the run's report from its state's run context. */
export async function reportRun(input: unknown, deps: ReportRunDeps): Promise<ReportResult> {
  const { run, state } = parseTaskEvent(ROW_PIPELINE.ReportRun.event, input, 'ReportRun');
  const skipped =
    state.loop_prevention?.status === 'DUPLICATE_FILE'
      ? {
          reason: `a duplicate file: its content was already processed${state.loop_prevention.duplicate_of === undefined ? '' : ` by run ${state.loop_prevention.duplicate_of}`}, nothing was written`,
          ...(state.loop_prevention.duplicate_of === undefined ? {} : { duplicate_of: state.loop_prevention.duplicate_of }),
        }
      : undefined;
  const timeline = await deps.timeline?.(run.execution_arn).catch((error: unknown) => {
    deps.logger?.warn('report: the timeline could not be read', { error: (error as Error).message });
    return [];
  });
  const written = await writeRunReport(deps.store, deps.layout, run.run_id, {
    where: deps.where,
    ...(timeline === undefined ? {} : { timeline }),
    ...(deps.links === undefined ? {} : { links: deps.links(run.run_id, run.execution_arn) }),
    ...(deps.logsCommand === undefined ? {} : { logs_command: deps.logsCommand(run.run_id) }),
    ...(skipped === undefined ? {} : { skipped }),
    ...(state.gate?.checks === undefined ? {} : { gate_checks: state.gate.checks }),
  });
  deps.logger?.info('run report written', { report: written.report.key, bytes: written.bytes, status: written.facts.status });
  // A retry (or approval) run also brings the report of the run whose rows it re-submitted up to date.
  const retry = await readRetryRecord(deps.store, deps.layout, run.run_id).catch(() => undefined);
  if (retry !== undefined) {
    try {
      await writeRunReport(deps.store, deps.layout, retry.source_run_id, {
        where: deps.where,
        ...(deps.logsCommand === undefined ? {} : { logs_command: deps.logsCommand(retry.source_run_id) }),
      });
    } catch (error) {
      deps.logger?.warn('report: the source run\'s report could not be updated', { source_run_id: retry.source_run_id, error: (error as Error).message });
    }
  }
  return { report: written.report.key, bytes: written.bytes };
}
