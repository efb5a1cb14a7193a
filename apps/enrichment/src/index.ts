/** Public API of the enrichment function: the handler factory (for the local runner) and the core. */
export { EnrichmentConfigSchema, optionsFromConfig, type EnrichmentConfig } from './config';
export { createHandler, type EnrichmentHandlerDeps } from './create-handler';
export {
  combineChunkResults,
  combineChunks,
  DEFAULT_ENRICHMENT_OPTIONS,
  enrichChunk,
  planChunks,
  type CoreLogger,
  type EnrichmentDeps,
  type EnrichmentOptions,
} from './enrich-file';
export { describeObject, sourceFileId } from './source-file-id';
export { RecordBoundaryScanner } from './record-boundaries';
