export { decodeRowDecision, encodeRowDecision, type RowDecision } from './row-decision';
export {
  readDecisions,
  readLineBatches,
  readWorkRows,
  workPartRef,
  writeDecisions,
  writeWorkPart,
  type WorkArea,
  type WorkStage,
} from './work-area';
export { decodeWorkRow, encodeWorkRow, escapeField, unescapeField, type WorkRow } from './work-row';
export {
  ChunkEnrichmentSchema,
  ChunkPlanSchema,
  ChunkSchema,
  DuplicateStatusSchema,
  type Chunk,
  type DuplicateStatus,
  type ChunkEnrichment,
  type ChunkPlan,
  EnrichmentResultSchema,
  LoopPreventionResultSchema,
  ObjectRefSchema,
  PartitionWriterResultSchema,
  RunStateSchema,
  ValidationResultSchema,
  WorkAreaSchema,
  WorkPartSchema,
  WrittenPartitionSchema,
  type EnrichmentResult,
  type LoopPreventionResult,
  type PartitionWriterResult,
  type RunState,
  type ValidationResult,
} from './run-state';
export {
  CheckBreakerEventSchema,
  FinishRunEventSchema,
  PartValidationSchema,
  PartWrittenSchema,
  ValidatePartEventSchema,
  WritePartEventSchema,
  type CheckBreakerEvent,
  type FinishRunEvent,
  type PartValidation,
  type PartWritten,
  type ValidatePartEvent,
  type WritePartEvent,
} from './run-state';
export { ChunkChannel } from './chunk-channel';
export { ColumnBuffer, type ColumnValues, type ParquetValue } from './column-buffer';
export {
  ParquetObjectWriter,
  utf8Views,
  type Compressor,
  type ParquetObjectOptions,
  type WrittenParquetObject,
} from './parquet-object-writer';
export {
  parquetSchemaElements,
  type ParquetColumnEncoding,
  type ParquetColumnKind,
  type ParquetColumnSpec,
} from './parquet-schema';
export {
  PartitionedParquetWriter,
  type ParquetBufferLimits,
  type PartitionedParquetWriterOptions,
  type WrittenPartition,
} from './partitioned-parquet-writer';
export { RunManifestSchema, type RunManifest } from './run-manifest';
export { parseDecimalSum, validateWorkRow, workRowAmountMinor } from './validate-work-row';
export {
  decodeValidatedPart,
  encodeValidatedPart,
  readValidatedPart,
  ROW_FATE,
  type RowFate,
  type ValidatedPart,
  ValidatedPartBuilder,
  writeValidatedPart,
} from './validated-part';
export { WorkPartEncoder, writeEncodedWorkPart } from './work-part-encoder';
export {
  assertBreakerClosed,
  BreakerResetSchema,
  BreakerStateSchema,
  breakerTrips,
  BreakerWindowEntrySchema,
  DEFAULT_BREAKER_CONFIG,
  readBreakerState,
  recordAndEvaluateBreaker,
  resetBreaker,
  type BreakerConfig,
  type BreakerReset,
  type BreakerResetRequest,
  type BreakerRunStats,
  type BreakerState,
  type BreakerVerdict,
  type BreakerWindowEntry,
} from './circuit-breaker';
export {
  indexMonthsToRead,
  loadQuarantineHashes,
  quarantineIndexMonth,
  UNKNOWN_MONTH,
  writeQuarantineIndex,
  type LoadQuarantineHashesOptions,
} from './quarantine-index';
export {
  claimFile,
  DEFAULT_CLAIM_TIMEOUT_MINUTES,
  LedgerEntrySchema,
  markFileProcessed,
  PreviousClaimSchema,
  readLedgerEntry,
  releaseFileClaim,
  ReleasedOutcomeSchema,
  renewFileClaim,
  settledOutcome,
  CLAIM_RENEWAL_MINUTES,
  type FileClaimOutcome,
  type FileClaimRequest,
  type LedgerEntry,
  type ReleaseOptions,
  type ReleasedOutcome,
} from './processed-file-ledger';
export {
  BlockedRunRecordSchema,
  PublishedRunRecordSchema,
  type BlockedRunRecord,
  type PublishedRunRecord,
  FailedRunRecordSchema,
  InterruptedRunRecordSchema,
  InterruptSignalSchema,
  readRunRecord,
  RUN_RECORD_MAX_CAUSE_BYTES,
  RunRecordBaseSchema,
  RunRecordSchema,
  RunRecordStatusSchema,
  writeRunRecordIfAbsent,
  type FailedRunRecord,
  type InterruptedRunRecord,
  type InterruptSignal,
  type RunRecord,
  type RunRecordStatus,
  type StoredRunRecord,
} from './run-record';
export {
  monthName,
  parseMonthName,
  parseSymlinkManifest,
  PublishActionSchema,
  PublishedPartitionSchema,
  PublishedRunSchema,
  readLatest,
  listSilverMonths,
  readVersion,
  symlinkManifest,
  VersionRequestSchema,
  type PublishAction,
  type PublishedPartition,
  type PublishedRun,
  type VersionRequest,
} from './published-partition';
export {
  describeVersions,
  placeRun,
  readPartitionVersions,
  type RunPlacement,
  type VersionEntry,
  type VersionKind,
} from './partition-history';
export {
  CatalogPartitionSchema,
  LakeCatalog,
  partitionValues,
  readLakeCatalog,
  type CatalogPartition,
  type PartitionCatalog,
} from './lake-catalog';
export { JSON_PUT_OPTIONS, jsonBody, parseJson, readVersionedJson, type VersionedJson } from './json-object';
export {
  openParquetObject,
  readParquetRowGroups,
  type ParquetRowGroup,
  type ReadParquetOptions,
  TIMESTAMPS_AS_MICROS,
} from './parquet-object-reader';
export { readRejectedRows, type RejectedRow } from './rejected-rows';
export {
  claimRetryRows,
  CondemnedDecisionSchema,
  isVoidRetryRun,
  QUARANTINED_ROW_STATUSES,
  quarantinedRowStatus,
  retryFileRef,
  retryRunGone,
  type RetryRunWatch,
  type QuarantinedRowStatus,
  CondemnedRowDecisionSchema,
  DecidedRowSchema,
  readCondemnedDecision,
  readCondemnedRowDecision,
  readRetryClaim,
  readRetryRecord,
  recordCondemnedDecision,
  RetryClaimSchema,
  RetryRecordSchema,
  RetryRowSchema,
  RunbookRefusedError,
  writeRetryRecord,
  type CondemnedDecision,
  type CondemnedRowDecision,
  type RetryClaim,
  type RetryRecord,
  type RetryRow,
} from './runbook-ledger';
export {
  RETRY_FILE_COLUMNS,
  retryFileText,
  rowHashOf,
  submitRetry,
  type RetryCandidate,
  type RetrySubmission,
} from './retry-submission';
export {
  deletePromotionIntent,
  type IntentMonth,
  IntentMonthSchema,
  listPromotionIntents,
  LOCAL_LIVENESS,
  localHolder,
  type LivenessProbe,
  type PromotionIntent,
  PromotionIntentSchema,
  readCheckedVersions,
  readPromotionIntent,
  writeCheckedVersions,
  type RunHolder,
  RunHolderSchema,
  trackLocalExecution,
  writePromotionIntent,
} from './promotion-intent';
export { REJECTED_COLUMNS, RUN_CONSTANT_COLUMNS, SILVER_COLUMNS } from './lake-tables';
export { discardSupersededOutput, isSupersededRun, type SupersededRun } from './superseded-run';
export { lateCondemnedRef, listLateCondemned } from './late-condemned';
export { BronzeIgnoreSchema, ignoreBronzeObject, readBronzeIgnore, type BronzeIgnore } from './bronze-ignore';
