/** Public API of @ledgerlake/domain: the product's rules, pure and dependency-free but for zod. */
export { accountIdPatternProblem, DEFAULT_ACCOUNT_ID_MAX_LENGTH, DEFAULT_ACCOUNT_ID_PATTERN } from './account-id';
export { businessKey } from './business-key';
export {
  COLUMN_ROLES,
  type ColumnRole,
  type CompleteRowFields,
  type DatasetColumn,
  datasetRegistry,
  type DatasetRegistry,
  DATASETS,
  datasetSpec,
  type DatasetSpec,
  defineDataset,
  inputColumns,
  missingColumns,
  rawColumns,
  rowFields,
  type RowFields,
  TRANSACTIONS_DATASET,
} from './dataset-spec';
export { csvCellForPeople, quoteCsvField } from './csv-cell';
export { type CurrencyCode, CurrencyCodeSchema, DEFAULT_CURRENCIES } from './currency';
export {
  CONDEMN_CODES,
  type CondemnCode,
  CondemnCodeSchema,
  DUPLICATE_FILE,
  ROW_ERROR_CODES,
  type RowErrorCode,
  RowErrorCodeSchema,
  type RunSkipReason,
  RunSkipReasonSchema,
  VALIDATION_ERROR_CODES,
  type ValidationErrorCode,
  ValidationErrorCodeSchema,
} from './error-codes';
export {
  CircuitBreakerOpenError,
  ConfigError,
  ERROR_CLASSES,
  ERROR_NAMES,
  type ErrorName,
  type InputLocation,
  InternalError,
  InvalidEventError,
  InvalidInputError,
  isRetryable,
  LakeStateError,
  LedgerLakeError,
  MissingColumnsError,
  ObjectConflictError,
  PromotionError,
  RunBlockedError,
  RunbookRefusedError,
  StorageError,
  TransientStorageError,
  UnknownDatasetError,
} from './errors';
export { canonicalInt64, INT64_MAX, INT64_MIN, type Int64ParseResult, parseInt64 } from './int64';
export {
  type AmountParseResult,
  DECIMAL_PRECISION,
  DECIMAL_SCALE,
  formatMinor,
  MAX_MINOR,
  MIN_MINOR,
  parseAmount,
} from './money';
export {
  type BreakerLimits,
  breakerTrips,
  checkBreakerLimits,
  checkGateLimits,
  condemnedRowsPass,
  DEFAULT_QUALITY_POLICY,
  type ExactRate,
  type GateLimits,
  parseRate,
  type QualityPolicy,
  quarantineRatePasses,
  RATE_MAX_DECIMALS,
  type RowCount,
  shareExceeds,
  shareIsBelow,
} from './quality-policy';
export { reconciliationProblems } from './reconciliation';
export { rowHashInput, UNPARSEABLE_RECORD_HASH_PREFIX } from './row-hash';
export { DEFAULT_ROW_RULE_SETTINGS, type RowRules, type RowRuleSettings, rowRules } from './row-rules';
export {
  type AmountSums,
  AmountSumsSchema,
  MinorUnitsStringSchema,
  type QuarantineByReason,
  QuarantineByReasonSchema,
  type RunContext,
  RunContextSchema,
  type RunCounts,
  RunCountsSchema,
  type RunMode,
  RunModeSchema,
  type SourceObject,
  SourceObjectSchema,
  type SuccessMarker,
  SuccessMarkerSchema,
  YearMonthSchema,
} from './run-context';
export {
  RUN_BLOCKED_DETAIL_TYPE,
  RUN_BLOCKED_SOURCE,
  type RunBlockedDetail,
  RunBlockedDetailSchema,
  type RunBlockedEvent,
  RunBlockedEventSchema,
  runBlockedEvent,
} from './run-blocked-event';
export { backfillRunId, formatRunId, isBackfillRunId, type RunId, RunIdSchema, runIdTime } from './run-id';
export {
  type Lineage,
  LineageSchema,
  type QuarantineRow,
  quarantineRowSchema,
  type RawRow,
  rawRowSchema,
  type SilverRow,
  SilverRowSchema,
} from './rows';
export {
  formatTimestampMicros,
  type ParsedTimestamp,
  parseTimestamp,
  type TimestampParseResult,
} from './timestamp';
export {
  DEFAULT_TX_DATE_MAX_FUTURE_DAYS,
  DEFAULT_TX_DATE_MIN,
  txDateMinProblem,
  type TxDateWindow,
} from './tx-date-window';
export { type InvalidRow, type ParsedFields, quoteValue, type RowValidation, type ValidRow, validateRow, visibleText } from './validate-row';
export { FUNCTION_NAMES, type FunctionName } from './functions';
export { count } from './words';
