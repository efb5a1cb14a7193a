/** Public API of the run-recorder function: the handler factory (for the local runner) and the core. */
export { RunRecorderConfigSchema, type RunRecorderConfig } from './config';
export { createHandler, type RunRecorderHandlerDeps } from './create-handler';
export {
  FailureStateError,
  parseFailureState,
  StepFunctionsErrorSchema,
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
  type RecordFailureResult,
} from './record-failure';
