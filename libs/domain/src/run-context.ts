/**
 * The small JSON documents states pass to each other and leave in the lake (docs/contract/publishing.md, docs/contract/orchestration.md).
 * Amount sums are decimal strings of minor units: JSON has no bigint, and a float would round.
 */
import { z } from 'zod';
import { RowErrorCodeSchema } from './error-codes';
import { RunIdSchema } from './run-id';

/** Schema of a `YYYY-MM` month, e.g. the month a backfill rebuilds. */
export const YearMonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

/** The Bronze object a run processes. */
export const SourceObjectSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  version_id: z.string().min(1).optional(),
  etag: z.string().min(1).optional(),
});

/** The Bronze object a run processes. */
export type SourceObject = z.infer<typeof SourceObjectSchema>;

/** Why a run exists: a new file, a month rebuilt, or quarantined rows retried. */
export const RunModeSchema = z.enum(['ingest', 'backfill', 'retry']);

/** Why a run exists. */
export type RunMode = z.infer<typeof RunModeSchema>;

/** The run context captured by the first state and passed to every later one. */
export const RunContextSchema = z
  .object({
    run_id: RunIdSchema,
    execution_arn: z.string().min(1),
    execution_name: z.string().min(1),
    started_at: z.iso.datetime(),
    dataset: z.string().min(1),
    mode: RunModeSchema,
    source: SourceObjectSchema,
    backfill_month: YearMonthSchema.optional(),
    /**
     * A retry run that re-submits condemned rows a person approved: the id of that recorded
     * approval. Loop prevention lets the rows it names past the attempt limit, once.
     */
    approval_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/).optional(),
    /**
     * A re-run a person asked for (`ledgerlake runs rerun`, `ingest --force`) of a Bronze object
     * whose run, this one, ended BLOCKED or FAILED: loop prevention may take over the claim that
     * run released. Without it such a content is a no-op (docs/exactly-once.md).
     */
    rerun_of: RunIdSchema.optional(),
    /**
     * A dry run (the deployed stage's smoke test, `ledgerlake ingest --dry-run`): every Task runs up
     * to the gate, then the run is recorded CHECKED and nothing is published — no `current/`, no
     * `_LATEST.json`, no catalog partition, no Gold, the content not marked processed.
     */
    dry_run: z.literal(true).optional(),
  })
  .refine((run) => (run.mode === 'backfill') === (run.backfill_month !== undefined), {
    message: 'backfill_month is required for mode backfill and only allowed there',
    path: ['backfill_month'],
  })
  .refine((run) => run.approval_id === undefined || run.mode === 'retry', {
    message: 'approval_id is only allowed for mode retry',
    path: ['approval_id'],
  })
  .refine((run) => run.dry_run === undefined || run.mode === 'ingest', {
    message: 'dry_run is only allowed for mode ingest',
    path: ['dry_run'],
  })
  .refine((run) => run.rerun_of === undefined || run.mode === 'ingest', {
    message: 'rerun_of is only allowed for mode ingest',
    path: ['rerun_of'],
  });

/** The run context. */
export type RunContext = z.infer<typeof RunContextSchema>;

/** Row counts of a run; they reconcile when `input_rows = valid_rows + quarantined_rows + condemned_rows`. */
export const RunCountsSchema = z.object({
  input_rows: z.number().int().nonnegative(),
  valid_rows: z.number().int().nonnegative(),
  quarantined_rows: z.number().int().nonnegative(),
  condemned_rows: z.number().int().nonnegative(),
});

/** Row counts of a run. */
export type RunCounts = z.infer<typeof RunCountsSchema>;

/** Rows per error code; codes with no rows may be left out. */
export const QuarantineByReasonSchema = z.partialRecord(RowErrorCodeSchema, z.number().int().nonnegative());

/** Rows per error code. */
export type QuarantineByReason = z.infer<typeof QuarantineByReasonSchema>;

/** Schema of an integer amount of minor units as a decimal string, e.g. `"-2550"` for -25.50. */
export const MinorUnitsStringSchema = z.string().regex(/^(0|-?[1-9]\d*)$/, 'expected an integer of minor units');

/** Sums of the amounts that parse, per destination, in minor units; they reconcile like the counts. */
export const AmountSumsSchema = z.object({
  input_minor: MinorUnitsStringSchema,
  valid_minor: MinorUnitsStringSchema,
  quarantined_minor: MinorUnitsStringSchema,
  condemned_minor: MinorUnitsStringSchema,
});

/** Sums of the amounts that parse, per destination. */
export type AmountSums = z.infer<typeof AmountSumsSchema>;

/** The `_SUCCESS` JSON written last in each Silver run folder (docs/contract/publishing.md, "_SUCCESS"). */
export const SuccessMarkerSchema = z.object({
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  source_files: z.array(z.string().min(1)),
  schema_version: z.string().regex(/^v\d+$/),
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  amounts: AmountSumsSchema,
  critical_errors: z.array(z.string()),
  /** Keys of the Parquet files the run wrote in this folder. */
  files: z.array(z.string().min(1)),
  started_at: z.iso.datetime(),
  finished_at: z.iso.datetime(),
});

/** The `_SUCCESS` JSON of a Silver run folder. */
export type SuccessMarker = z.infer<typeof SuccessMarkerSchema>;
