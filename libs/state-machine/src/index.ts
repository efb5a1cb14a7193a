/** Public API of @ledgerlake/state-machine: the row-pipeline ASL definition and its local runner (Distributed Maps emulated). */
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
export { isDistributedMap, type LocalObjectPort } from './distributed-map';
export { DATA_LIMIT_EXCEEDED, type LocalRunStats, PAYLOAD_LIMIT_BYTES, type PayloadSize } from './execution-stats';
export {
  type LocalHandler,
  type LocalLambdaContext,
  type LocalRunResult,
  type LocalStateEvent,
  type LocalTaskCall,
  localExecutionArn,
  runLocally,
  type RunLocallyOptions,
} from './local-runner';
