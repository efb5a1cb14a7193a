/**
 * The operator's runbook over any lake (docs/quarantine-lifecycle.md, docs/deploy.md): what the
 * lake records of runs, Bronze objects and rejected rows, and the operations a person asks for —
 * retry quarantined rows, approve or reject condemned ones, reset the breaker, backfill a month,
 * re-run a Bronze object, ignore one. Every function takes a `Lake` (an ObjectStore and its layout);
 * the writing ones an `Operator`, whose `startRun` starts runs on the lake's own target.
 */
export { MIN_ROW_HASH_PREFIX, resolveRowHashes, RUNBOOK_ERROR_CODES, RunbookError, type RunbookErrorCode, unknownRunError } from './errors';
export { type Lake, newBackfillRunId, newRunId, type Operator, randomSuffix, type RunRequest, type StartRun } from './lake';
export { filterRuns, listRollbacks, listRuns, readLogRecords, type RollbackMark, RUN_STATUSES, type RunSummary, summarizeRun } from './runs';
export { type RunDetail, type RunPartition, showRun } from './run-detail';
export { type PartitionHistory, partitionHistory, versionAuthor } from './partition-history';
export {
  type BronzeObject,
  bronzeIgnoreOf,
  bronzeObjects,
  type BronzeState,
  formatIgnored,
  ignoreBronze,
  listBronze,
  pendingBronzeObjects,
} from './bronze';
export {
  checkRunId,
  condemnedRows,
  type CondemnedStatus,
  countByCode,
  countByStatus,
  type Listed,
  type ListedRow,
  quarantinedRows,
  type QuarantineStatus,
  readManifest,
  requireKnownRun,
} from './rejected-rows';
export { applyFixes, type Fixes, type RetryOutcome, runRetry } from './retry';
export {
  approveCondemned,
  breakerReset,
  breakerStatus,
  type CondemnedListing,
  listCondemned,
  listQuarantine,
  type QuarantineListing,
  rejectCondemned,
  retryQuarantine,
} from './rows';
export { type BackfillOutcome, backfillMonth } from './backfill';
export { forcedRerunOf, rerunRun } from './rerun';
