import { AmountSumsSchema, QuarantineByReasonSchema, RunContextSchema, RunCountsSchema, YearMonthSchema } from '@ledgerlake/domain';
import { z } from 'zod';

/**
 * The small JSON the row-pipeline states pass to each other (never rows: Step Functions caps a
 * state's payload at 256 KB, and an execution that exceeds it fails uncatchably). Every function
 * receives the whole state and returns only its own section; the state machine stores it under the
 * section's name (`ResultPath: $.<section>`). Every section is O(1) in the file's size: lists that
 * grow with it (chunks, parts, per-part results, written files) live in the run's work area
 * (work-area.ts, docs/work-area.md) and sections carry their keys and totals.
 */

/**
 * Why loop prevention does not run a content again: how the run that holds or held its claim
 * stands (processed, claimed by a live run, promoting, or ended blocked / failed).
 */
export const DuplicateStatusSchema = z.enum(['processed', 'claimed', 'promoting', 'blocked', 'failed', 'ignored']);
/** Why a content is not run again. */
export type DuplicateStatus = z.infer<typeof DuplicateStatusSchema>;

/** An object in the lake, as states pass it. */
export const ObjectRefSchema = z.object({ bucket: z.string().min(1), key: z.string().min(1) });

/** Where a run's functions leave rows and decisions for the next one. */
export const WorkAreaSchema = z.object({ bucket: z.string().min(1), prefix: z.string().endsWith('/') });

/** Where a Distributed Map writes its results: its ResultWriter `Bucket` and `Prefix` (no trailing `/`). */
export const MapResultsPrefixSchema = z.object({ bucket: z.string().min(1), prefix: z.string().min(1) });
/** Where a Distributed Map writes its results. */
export type MapResultsPrefix = z.infer<typeof MapResultsPrefixSchema>;

/**
 * What a Distributed Map with a ResultWriter returns (the Map state's output): its map run, and
 * the manifest of the result files its child executions' outputs were written to (map-results.ts).
 */
export const MapRunResultsSchema = z.object({
  MapRunArn: z.string().min(1),
  ResultWriterDetails: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }),
});
/** What a Distributed Map with a ResultWriter returns. */
export type MapRunResults = z.infer<typeof MapRunResultsSchema>;

/** One part of the enriched rows in the work area. */
export const WorkPartSchema = z.object({ part: z.number().int().nonnegative(), rows: z.number().int().nonnegative() });

/** What enrichment returns: the file's identity, its header findings and the parts it wrote. */
export const EnrichmentResultSchema = z.object({
  source_file_id: z.string().min(1),
  /** SHA-256 hex of the Bronze object's bytes as stored (the processed-file ledger key). */
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes_read: z.number().int().nonnegative(),
  header: z.array(z.string()),
  /** Columns beyond the required five: ignored, and reported. */
  extra_columns: z.array(z.string()),
  input_rows: z.number().int().nonnegative(),
  /** Sum of the amounts that parse exactly, as a decimal string (reconciliation input). */
  input_amount: z.string(),
  work: WorkAreaSchema,
  /** How many enriched parts the file has. */
  part_count: z.number().int().nonnegative(),
  /** The highest part number plus one (parts are numbered `chunk * 100 + n`, so not densely). */
  part_span: z.number().int().nonnegative(),
  /** Every enriched part (`WorkPart[]`, JSON): the ProcessParts Map's items. */
  part_manifest: ObjectRefSchema,
  /** Where the ProcessParts Map writes its children's results. */
  part_results: MapResultsPrefixSchema,
});
/** What enrichment returns. */
export type EnrichmentResult = z.infer<typeof EnrichmentResultSchema>;

/** One chunk of a Bronze object: bytes `[start, end)` of `source` (the object itself, or a plain copy of a gzip one's piece). */
export const ChunkSchema = z.object({
  index: z.number().int().nonnegative().max(999),
  source: ObjectRefSchema,
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** The 1-based line of the file the chunk's first byte is on. */
  first_line: z.number().int().positive(),
});
/** One chunk of a Bronze object. */
export type Chunk = z.infer<typeof ChunkSchema>;

/** What planning returns (`$.plan`): the file's identity and header, and its chunks, cut on record boundaries. */
export const ChunkPlanSchema = z.object({
  source_file_id: z.string().min(1),
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes_read: z.number().int().nonnegative(),
  gzip: z.boolean(),
  /** The header record's fields as in the file (untrimmed), and the line it is on. */
  header: z.array(z.string()),
  header_line: z.number().int().positive(),
  /** How many chunks the file was cut into (at least 1). */
  chunk_count: z.number().int().positive(),
  /** Every chunk (`Chunk[]`, JSON): the EnrichChunks Map's items. */
  chunk_manifest: ObjectRefSchema,
  /** Where the EnrichChunks Map writes its children's results. */
  chunk_results: MapResultsPrefixSchema,
  /** Child executions each Distributed Map runs at once (the Maps' `MaxConcurrencyPath`). */
  map_concurrency: z.number().int().positive(),
  work: WorkAreaSchema,
});
/** What planning returns. */
export type ChunkPlan = z.infer<typeof ChunkPlanSchema>;

/** What enriching one chunk returns (one child output of the EnrichChunks Map). */
export const ChunkEnrichmentSchema = z.object({
  chunk: z.number().int().nonnegative(),
  input_rows: z.number().int().nonnegative(),
  /** Sum of the amounts that parse exactly, in minor units. */
  input_minor: z.string().regex(/^(0|-?[1-9]\d*)$/),
  parts: z.array(WorkPartSchema),
});
/** What enriching one chunk returns. */
export type ChunkEnrichment = z.infer<typeof ChunkEnrichmentSchema>;

/** What loop prevention returns: go on, or stop the run as a duplicate file. */
export const LoopPreventionResultSchema = z.object({
  status: z.enum(['CONTINUE', 'DUPLICATE_FILE']),
  /** With DUPLICATE_FILE: the run that processed this content first (an ignored object: its last run, if any). */
  duplicate_of: z.string().optional(),
  /** With DUPLICATE_FILE: how that run stands (processed, claimed, promoting, blocked, failed), or `ignored`: a person marked the Bronze object ignored. */
  duplicate_status: DuplicateStatusSchema.optional(),
  condemned_rows: z.number().int().nonnegative(),
  condemned_by_reason: QuarantineByReasonSchema,
});
/** What loop prevention returns. */
export type LoopPreventionResult = z.infer<typeof LoopPreventionResultSchema>;

/** What validation returns. */
export const ValidationResultSchema = z.object({
  valid_rows: z.number().int().nonnegative(),
  quarantined_rows: z.number().int().nonnegative(),
  quarantine_by_reason: QuarantineByReasonSchema,
});
/** What validation returns. */
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

/** One Silver year/month partition a run wrote into. */
export const WrittenPartitionSchema = z.object({
  year: z.number().int(),
  month: z.number().int().min(1).max(12),
  rows: z.number().int().nonnegative(),
  files: z.array(z.string()),
  success: ObjectRefSchema,
});

/** One Silver month of a run, as the state carries it (its files are listed in the run manifest). */
export const PartitionSummarySchema = z.object({
  year: z.number().int(),
  month: z.number().int().min(1).max(12),
  rows: z.number().int().nonnegative(),
  file_count: z.number().int().nonnegative(),
});

/** At most this many of a run's critical errors travel in the state (all of them are in the run manifest). */
export const STATE_CRITICAL_ERRORS = 20;

/**
 * What the partition writer returns: the run's totals, ready for the promotion gate. The lists
 * (every Silver, Quarantine and Condemned file, every critical error) are in the run manifest.
 */
export const PartitionWriterResultSchema = z.object({
  counts: RunCountsSchema,
  /** Quarantined rows by validation code (sums to `counts.quarantined_rows`). */
  quarantine_by_reason: QuarantineByReasonSchema,
  /** Condemned rows by loop-prevention code (sums to `counts.condemned_rows`). */
  condemned_by_reason: QuarantineByReasonSchema,
  /** Exact amount sums (minor units) per destination; they reconcile like the counts. */
  amounts: AmountSumsSchema,
  /** Non-empty = the run must not be published (counts or amounts do not reconcile): the first `STATE_CRITICAL_ERRORS`. */
  critical_errors: z.array(z.string()).max(STATE_CRITICAL_ERRORS),
  critical_error_count: z.number().int().nonnegative(),
  partitions: z.array(PartitionSummarySchema),
  quarantine_file_count: z.number().int().nonnegative(),
  condemned_file_count: z.number().int().nonnegative(),
  /** The run manifest (`runs/<run_id>/manifest.json` in artifacts). */
  manifest: ObjectRefSchema,
});
/** What the partition writer returns. */
export type PartitionWriterResult = z.infer<typeof PartitionWriterResultSchema>;

/*
 * Per-part processing: the state machine's `ProcessParts` Map runs `ValidatePart` then `WritePart`
 * on each enriched work part, `CheckBreaker` and `FinishRun` then sum the parts' small summaries.
 */

/** What `ValidatePart` returns for one work part (stored at `$.validation` inside the Map iteration). */
export const PartValidationSchema = z.object({
  part: z.number().int().nonnegative(),
  valid_rows: z.number().int().nonnegative(),
  quarantined_rows: z.number().int().nonnegative(),
  quarantine_by_reason: QuarantineByReasonSchema,
});
/** What `ValidatePart` returns for one work part. */
export type PartValidation = z.infer<typeof PartValidationSchema>;

/**
 * What `WritePart` returns for one work part: a small summary (one child output of the
 * ProcessParts Map, in its result files); the part's full result is the JSON object at `result`.
 */
export const PartWrittenSchema = z.object({
  part: z.number().int().nonnegative(),
  /** `input_rows` = the rows of the part; the rest = where the partition writer routed them. */
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  condemned_by_reason: QuarantineByReasonSchema,
  /** The part's full result in the run's work area (`work/written/part-NNNNN.json`). */
  result: ObjectRefSchema,
});
/** What `WritePart` returns for one work part. */
export type PartWritten = z.infer<typeof PartWrittenSchema>;

/** The state as it grows along the row pipeline. */
export const RunStateSchema = z.object({
  run: RunContextSchema,
  enrichment: EnrichmentResultSchema.optional(),
  loop_prevention: LoopPreventionResultSchema.optional(),
  validation: ValidationResultSchema.optional(),
  partition_writer: PartitionWriterResultSchema.optional(),
});
/** The state as it grows along the row pipeline. */
export type RunState = z.infer<typeof RunStateSchema>;

/*
 * The sections the other Tasks fill (recovery, gate, promotion, Gold, the roll-forward, the blocked,
 * dry-run and failure paths, the report), so that every Task's result has its schema here.
 */

/** What `RecoverPromotions` returns (`$.recovery`): counts only, the state stays small. */
export const RecoverySummarySchema = z.object({
  recovered: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
/** What `RecoverPromotions` returns. */
export type RecoverySummary = z.infer<typeof RecoverySummarySchema>;

/** One condition of the promotion gate (`$.gate.checks`): what was measured against which limit; `passed: null` when not applied (a retry run is not judged by the row limits). */
export const GateCheckSchema = z.object({ check: z.string(), measured: z.string(), limit: z.string(), passed: z.boolean().nullable() });
/** One condition of the promotion gate. */
export type GateCheck = z.infer<typeof GateCheckSchema>;

/** What `EvaluateGate` returns (`$.gate`): promote, or block with one sentence per failed condition; every condition with its measured value. */
export const GateVerdictSchema = z.object({
  decision: z.enum(['PROMOTE', 'BLOCKED']),
  reasons: z.array(z.string()),
  checks: z.array(GateCheckSchema),
});
/** What `EvaluateGate` returns. */
export type GateVerdict = z.infer<typeof GateVerdictSchema>;

/** How a version came about. */
export const PublishActionSchema = z.enum(['append', 'replace', 'rollback', 'rebuild']);
/** How a version came about: a run added to the month, replaced it (backfill), an earlier version restored, Gold rebuilt. */
export type PublishAction = z.infer<typeof PublishActionSchema>;

/** One month `Promote` published. */
export const PromotedPartitionSchema = z.object({
  /** `YYYY-MM`. */
  partition: YearMonthSchema,
  version: z.number().int().positive(),
  /** Rows of this run in the month. */
  rows: z.number().int().nonnegative(),
  action: PublishActionSchema,
  /** False when the month already held the run (a retry or re-run). */
  committed: z.boolean(),
  /** Races with other promotions lost (and re-applied) before committing. */
  conflicts: z.number().int().nonnegative(),
  /** Rows of the run condemned at the commit: another run published their keys first. */
  late_condemned: z.number().int().nonnegative(),
});
/** One month `Promote` published. */
export type PromotedPartition = z.infer<typeof PromotedPartitionSchema>;

/** What `Promote` returns (`$.promotion`). */
export const PromotionResultSchema = z.object({
  run_id: z.string().min(1),
  /** `COMMITTED`: every month committed, Gold and the run record still to come; `PUBLISHED`: complete. */
  status: z.enum(['COMMITTED', 'PUBLISHED']),
  partitions: z.array(PromotedPartitionSchema),
  /** The earliest month touched (`YYYY-MM`), absent when the run had no valid rows. */
  gold_from: YearMonthSchema.optional(),
});
/** What `Promote` returns. */
export type PromotionResult = z.infer<typeof PromotionResultSchema>;

/** What `RefreshGold` returns (`$.gold`). */
export const GoldRefreshSchema = z.object({
  /** The months rebuilt (each table committed a new version, or already held this Silver). */
  months: z.array(YearMonthSchema),
  /** Table partitions committed. */
  committed: z.number().int().nonnegative(),
  /** Rebuild passes: more than one when Silver changed while Gold was being built. */
  passes: z.number().int().positive(),
});
/** What `RefreshGold` returns. */
export type GoldRefresh = z.infer<typeof GoldRefreshSchema>;

/** What `RollForward` returns (`$.rolled_forward`): the run's promotion completed, or never begun. */
export const RollForwardResultSchema = z.union([
  PromotionResultSchema.extend({ status: z.literal('PUBLISHED') }),
  z.object({ run_id: z.string().min(1), status: z.literal('NOT_BEGUN') }),
]);
/** What `RollForward` returns. */
export type RollForwardResult = z.infer<typeof RollForwardResultSchema>;

/** What `RecordBlocked` returns (`$.blocked`). */
export const BlockedResultSchema = z.object({
  status: z.literal('BLOCKED'),
  reasons: z.array(z.string()),
  claim_released: z.boolean(),
});
/** What `RecordBlocked` returns. */
export type BlockedResult = z.infer<typeof BlockedResultSchema>;

/** What `RecordDryRun` returns (`$.checked`): what the gate would have decided. */
export const CheckedResultSchema = z.object({
  status: z.literal('CHECKED'),
  decision: GateVerdictSchema.shape.decision,
  reasons: z.array(z.string()),
  claim_released: z.boolean(),
});
/** What `RecordDryRun` returns. */
export type CheckedResult = z.infer<typeof CheckedResultSchema>;

/** The error a Step Functions `Catch` stores at `$.error` (and `RecordFailure` puts back, resolved). */
export const StepFunctionsErrorSchema = z.object({
  Error: z.string().min(1),
  // Some errors (e.g. a `States.Timeout`) may come without a Cause.
  Cause: z.string().default(''),
});
/** A Step Functions error. */
export type StepFunctionsError = z.infer<typeof StepFunctionsErrorSchema>;

/**
 * What `RecordFailure` returns (stored back at `$.error`, which the Fail state reports): the run's
 * error — the failed Map child's own when a Distributed Map failed because of it — and FAILED with
 * the record, or PROMOTING when the run had begun its promotion: nothing is recorded failed and its
 * claim is kept, since the promotion is rolled forward (docs/exactly-once.md).
 */
export const RecordFailureResultSchema = z.union([
  StepFunctionsErrorSchema.extend({ status: z.literal('FAILED'), record: ObjectRefSchema }),
  StepFunctionsErrorSchema.extend({ status: z.literal('PROMOTING'), intent: ObjectRefSchema }),
]);
/** What `RecordFailure` returns. */
export type RecordFailureResult = z.infer<typeof RecordFailureResultSchema>;

/** What `ReportRun` returns (discarded by the Task: `ResultPath: null`). */
export const ReportResultSchema = z.object({ report: z.string().min(1), bytes: z.number().int().nonnegative() });
/** What `ReportRun` returns. */
export type ReportResult = z.infer<typeof ReportResultSchema>;
