export { decodeRowDecision, encodeRowDecision, type RowDecision } from './row-decision';
export {
  firstFailedChild,
  readMapItems,
  readMapResults,
  writeMapItems,
  writePartManifest,
  type ChildError,
  type EnrichedPartsSection,
} from './map-items';
export {
  mapResultsPrefix,
  readDecisions,
  removeWorkArea,
  tidyWorkArea,
  workManifestRef,
  workPartRef,
  writeDecisions,
  type WorkArea,
  type WorkAreaLogger,
  type WorkManifest,
  type WorkStage,
} from './work-area';
export {
  decodeEnrichedPart,
  EnrichedPart,
  EnrichedPartEncoder,
  readEnrichedPart,
  writeEncodedEnrichedPart,
  writeEnrichedPart,
  type WorkRow,
} from './enriched-part';
export { parseDecimalSum, validateEnrichedRow } from './validate-work-row';
export {
  decodeValidatedPart,
  encodeValidatedPart,
  readValidatedPart,
  ROW_FATE,
  type RowFate,
  type ValidatedPart,
  ValidatedPartBuilder,
  monthIndex,
  validatedMonth,
  writeValidatedPart,
} from './validated-part';
