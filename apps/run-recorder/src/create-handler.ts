import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import type { RecordFailureResult, ReportResult } from '@ledgerlake/pipeline';
import { recordRunFailure } from './record-failure';
import { reportRun, type ReportRunDeps } from './report/report-run';

/** What the run-recorder handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface RunRecorderHandlerDeps extends Partial<Omit<ReportRunDeps, 'store' | 'layout' | 'logger'>> {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  readonly now?: () => Date;
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
        ? await reportRun(event, { store, layout, where: deps.where ?? 'local', timeline: deps.timeline, links: deps.links, logsCommand: deps.logsCommand, logger: obs.logger })
        : await recordRunFailure(event, { store, layout, now, logger: obs.logger });
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return result;
  }, obs);
}
