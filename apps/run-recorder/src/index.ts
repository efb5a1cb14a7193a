/** Public API of the run-recorder function: the handler factory (for the local runner) and the core. */
export { RunRecorderConfigSchema, type RunRecorderConfig } from './config';
export { createHandler, type RunRecorderHandlerDeps } from './create-handler';
export {
  parseFailureState,
  type FailureState,
} from './failure-state';
export {
  causeMessage,
  countsOf,
  failedRunRecord,
  failedStateOf,
  recordRunFailure,
  type CoreLogger,
  type RecordFailureDeps,
} from './record-failure';
export { EXAMPLES_PER_REASON, gatherRunReport, type ReportContext, type ReportStatus, type RunReport, type TrailLink } from './report/facts';
export { escapeHtml } from './report/html';
export { type IndexEntry, renderRunIndex, renderRunReport } from './report/render';
export { INDEX_RUNS, writeRunReport, type WrittenReport } from './report/write';
export type { Span } from './report/charts';
