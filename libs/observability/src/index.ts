export { createObservability, DEFAULT_METRICS_NAMESPACE } from './create-observability';
export type { Observability, ObservabilityOptions } from './create-observability';
export { withObservability } from './with-observability';
export type { WithObservabilityOptions } from './with-observability';
export { readRunIds, runContext, RUN_ID_KEYS } from './run-context';
export type { RunIds } from './run-context';
export { logErrors, INVOCATION_FAILED_MESSAGE } from './log-errors';
export { recordRunMetrics } from './run-metrics';
export type { RunMetricValues } from './run-metrics';
export type { LineSink } from './line-sink';
export type { LambdaContext, LambdaHandler } from './lambda-context';
export {
  alarmUrl,
  executionUrl,
  logsInsightsUrl,
  PIPELINE_FUNCTIONS,
  pipelineLogGroups,
  runLogsQuery,
  runWindow,
  s3ObjectUrl,
  type TimeWindow,
  xrayTracesUrl,
} from './console-links';
