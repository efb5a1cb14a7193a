import { AmountSumsSchema, QuarantineByReasonSchema, RunContextSchema, RunCountsSchema } from '@ledgerlake/domain';
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

/** The validation function's `ValidatePart` event: one work part of the run. */
export const ValidatePartEventSchema = z.object({
  action: z.literal('validate-part'),
  run: RunContextSchema,
  enrichment: EnrichmentResultSchema,
  loop_prevention: LoopPreventionResultSchema,
  part: WorkPartSchema,
});
/** The validation function's `ValidatePart` event. */
export type ValidatePartEvent = z.infer<typeof ValidatePartEventSchema>;

/** The partition writer's `WritePart` event: one work part and what validation said of it. */
export const WritePartEventSchema = z.object({
  action: z.literal('write-part'),
  run: RunContextSchema,
  enrichment: EnrichmentResultSchema,
  loop_prevention: LoopPreventionResultSchema,
  validation: PartValidationSchema,
  part: WorkPartSchema,
});
/** The partition writer's `WritePart` event. */
export type WritePartEvent = z.infer<typeof WritePartEventSchema>;

/** The validation function's `CheckBreaker` event: where the ProcessParts Map wrote every part's summary. */
export const CheckBreakerEventSchema = z.object({
  action: z.literal('check-breaker'),
  run: RunContextSchema,
  enrichment: EnrichmentResultSchema,
  parts: MapRunResultsSchema,
});
/** The validation function's `CheckBreaker` event. */
export type CheckBreakerEvent = z.infer<typeof CheckBreakerEventSchema>;

/** The partition writer's `FinishRun` event: the run's sections and where the Map wrote every part's summary. */
export const FinishRunEventSchema = z.object({
  action: z.literal('finish'),
  run: RunContextSchema,
  enrichment: EnrichmentResultSchema,
  loop_prevention: LoopPreventionResultSchema,
  validation: ValidationResultSchema,
  parts: MapRunResultsSchema,
});
/** The partition writer's `FinishRun` event. */
export type FinishRunEvent = z.infer<typeof FinishRunEventSchema>;

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
