import type { DescribeExecutionCommandOutput, ExecutionListItem } from '@aws-sdk/client-sfn';
import type { CloudRuns } from './cloud-runs';
import type { RunDetail, RunSummary } from '@ledgerlake/runbook';

/*
 * `runs` and `runs show` on a deployed stage: the run records in the artifacts bucket, as on a
 * lake folder, plus each run's Step Functions execution. A run the records cannot place (no record
 * yet, or none at all: a skipped run, one that ended past every Catch) takes its status from the
 * execution: RUNNING, SKIPPED (succeeded without a record: a duplicate file), or FAILED with the
 * execution's status as the error (TIMED_OUT, ABORTED, FAILED).
 */

/** How many of the pipeline's newest executions `runs` looks at on a stage. */
export const STAGE_EXECUTIONS_LISTED = 1000;

/** What `runs` reads of an execution: a listing's item, or a description (which adds its error). */
type Execution = Partial<Pick<ExecutionListItem | DescribeExecutionCommandOutput, 'name' | 'status' | 'startDate' | 'stopDate'>> &
  Partial<Pick<DescribeExecutionCommandOutput, 'error' | 'cause'>>;

/** The lake's runs with the stage's executions: every execution of the pipeline appears, newest first. */
export async function withExecutions(runs: readonly RunSummary[], cloud: CloudRuns): Promise<RunSummary[]> {
  const executions = new Map((await cloud.executions(STAGE_EXECUTIONS_LISTED)).map((item) => [item.name ?? '', item]));
  const merged = runs.map((run) => {
    const execution = executions.get(run.run_id);
    executions.delete(run.run_id);
    return execution === undefined ? run : placed(run, execution);
  });
  for (const [runId, execution] of executions) {
    merged.push(placed({ run_id: runId, status: 'INCOMPLETE', started_at: null, source_files: [], counts: null, quarantine_by_reason: {}, duration_ms: null }, execution));
  }
  return merged.sort((a, b) => (b.started_at ?? b.run_id).localeCompare(a.started_at ?? a.run_id) || b.run_id.localeCompare(a.run_id));
}

/** One run's detail with its execution (`undefined`: the pipeline has no execution of that name). */
export function withExecution<T extends RunSummary>(run: T, execution: Execution | undefined): T {
  return execution === undefined ? run : placed(run, execution);
}

/** A blank detail for a run only its execution knows of. */
export function executionOnlyDetail(runId: string): RunDetail {
  return {
    run_id: runId,
    status: 'INCOMPLETE',
    started_at: null,
    source_files: [],
    counts: null,
    quarantine_by_reason: {},
    duration_ms: null,
    mode: null,
    condemned_by_reason: {},
    partitions: [],
    timings: { started_at: null, output_written_at: null, ended_at: null, duration_ms: null },
  };
}

function placed<T extends RunSummary>(run: T, execution: Execution): T {
  const started_at = execution.startDate?.toISOString() ?? null;
  const stopped_at = execution.stopDate?.toISOString() ?? null;
  const status = execution.status ?? 'UNKNOWN';
  const withIt = { ...run, execution: { status, started_at, stopped_at }, started_at: run.started_at ?? started_at };
  // A record (or a pending promotion) says more than the execution: only an unplaced run takes its status.
  if (run.status !== 'INCOMPLETE') return withIt;
  const duration_ms = execution.startDate !== undefined && execution.stopDate !== undefined ? execution.stopDate.getTime() - execution.startDate.getTime() : null;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return { ...withIt, status: 'RUNNING' };
  if (status === 'SUCCEEDED') return { ...withIt, status: 'SKIPPED', duration_ms };
  return {
    ...withIt,
    status: 'FAILED',
    duration_ms,
    error: { name: execution.error ?? `States.${status}`, message: execution.cause ?? `the execution ended ${status} without a run record`, state: null },
  };
}
