import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import { type DatasetRegistry, UnknownDatasetError } from '@ledgerlake/domain';
import type { RecordFailureResult, ReportResult } from '@ledgerlake/contract';
import { runLayout } from '@ledgerlake/lake';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { recordRunFailure } from './record-failure';
import { reportRun, type ReportRunDeps } from './report/report-run';

/** What the run-recorder handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface RunRecorderHandlerDeps extends Partial<Omit<ReportRunDeps, 'store' | 'layout' | 'logger'>> {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  readonly now?: () => Date;
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/**
 * The layout of the event's run's dataset, for its report; the lake's own for a run that names
 * none or an unknown one (its failure is recorded and reported all the same: it has no rows).
 */
function reportLayout(layout: LakeLayout, event: unknown, datasets: DatasetRegistry | undefined): LakeLayout {
  const dataset = (event as { run?: { dataset?: unknown } } | null)?.run?.dataset;
  if (typeof dataset !== 'string') return layout;
  try {
    return runLayout(layout, { dataset }, datasets);
  } catch (error) {
    if (error instanceof UnknownDatasetError) return layout;
    throw error;
  }
}

/**
 * The run-recorder Lambda handler, inside the middy chain every LedgerLake function uses:
 * - `RecordFailure`: the failed run's state in (`$`, with `$.error`), the run's error and record
 *   out (stored back at `$.error`);
 * - `ReportRun` (`{action: 'report', state}`): the run's report written, `runs/<run_id>/report.html`
 *   and the index (report/report-run.ts), as every run's last step.
 */
export function createHandler(deps: RunRecorderHandlerDeps) {
  const { store, layout, obs, now } = deps;
  return withObservability<unknown, RecordFailureResult | ReportResult>(async (event) => {
    const started = Date.now();
    const result =
      (event as { action?: unknown } | null)?.action === 'report'
        ? await reportRun(event, { store, layout: reportLayout(layout, event, deps.datasets), where: deps.where ?? 'local', timeline: deps.timeline, links: deps.links, logsCommand: deps.logsCommand, logger: obs.logger })
        : await recordRunFailure(event, { store, layout, now, logger: obs.logger });
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return result;
  }, obs);
}
