/** Public API of the loop-prevention function: the handler factory (for the local runner) and the core. */
export {
  LoopPreventionConfigSchema,
  settingsFromConfig,
  type LoopPreventionConfig,
} from './config';
export { createHandler, type LoopPreventionHandlerDeps } from './create-handler';
export {
  DEFAULT_LOOP_PREVENTION_SETTINGS,
  preventLoops,
  type CoreLogger,
  type LoopPreventionDeps,
  type LoopPreventionSettings,
} from './prevent-loops';
export { LatestPointerSchema, markPublishedKeys, type PublishedScan } from './published-keys';
