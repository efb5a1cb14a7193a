import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { recordRunFailure, type RecordFailureResult } from './record-failure';

/** What the run-recorder handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface RunRecorderHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  readonly now?: () => Date;
}

/**
 * The run-recorder Lambda handler: the failed run's state in (`$`, with `$.error`), the
 * run's error and record out (stored back at `$.error`), inside the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: RunRecorderHandlerDeps) {
  const { store, layout, obs, now } = deps;
  return withObservability<unknown, RecordFailureResult>(async (event) => {
    const started = Date.now();
    const result = await recordRunFailure(event, { store, layout, now, logger: obs.logger });
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return result;
  }, obs);
}
