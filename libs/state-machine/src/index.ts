/** Public API of @ledgerlake/state-machine: the row-pipeline ASL definition and its local runner. */
export {
  type AslCatcher,
  type AslDefinition,
  type AslRetrier,
  type AslState,
  type AslStates,
  type DefinitionParams,
  fillPlaceholders,
  loadDefinition,
  rawDefinition,
  statesBeforeLastMap,
  taskFunctions,
} from './definition';
export {
  type LocalHandler,
  type LocalLambdaContext,
  type LocalRunResult,
  type LocalStateEvent,
  localExecutionArn,
  runLocally,
  type RunLocallyOptions,
} from './local-runner';
