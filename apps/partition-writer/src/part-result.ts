import { MinorUnitsStringSchema, QuarantineByReasonSchema, RunCountsSchema } from '@ledgerlake/domain';
import { ObjectRefSchema } from '@ledgerlake/contract';
import type { LakeLayout, ObjectRef } from '@ledgerlake/storage';
import { z } from 'zod';

/**
 * The full result of writing one work part, `work/written/part-NNNNN.json` in the run's work area:
 * everything `FinishRun` needs to reconcile the run and seal its Silver folders, too large for the
 * Step Functions state (a part's quarantined row hashes alone can be megabytes). `WritePart`
 * writes it last, after every object of the part is complete; a retry rewrites it identically.
 */
export const PartResultSchema = z.object({
  run_id: z.string().min(1),
  part: z.number().int().nonnegative(),
  /** `input_rows` = the rows read from the part; the rest = where they went. */
  counts: RunCountsSchema,
  /** Exact amount sums in minor units, per destination (amounts that do not parse count 0). */
  amounts: z.object({
    valid_minor: MinorUnitsStringSchema,
    quarantined_minor: MinorUnitsStringSchema,
    condemned_minor: MinorUnitsStringSchema,
  }),
  quarantine_by_reason: QuarantineByReasonSchema,
  condemned_by_reason: QuarantineByReasonSchema,
  /** The Silver objects of the part, per year/month of the transaction time, in key order. */
  silver: z.array(
    z.object({
      year: z.number().int(),
      month: z.number().int().min(1).max(12),
      rows: z.number().int().nonnegative(),
      files: z.array(z.string().min(1)),
    }),
  ),
  quarantine_files: z.array(ObjectRefSchema),
  condemned_files: z.array(ObjectRefSchema),
  /** Hashes of the part's quarantined rows by index month (`YYYY-MM` or `unknown`), for the quarantine index. */
  quarantine_hashes: z.record(z.string(), z.array(z.string())),
  /** Other reasons the run must not be published (row counts, decisions past the part's end, validation's report). */
  problems: z.array(z.string()),
});

/** The full result of writing one work part. */
export type PartResult = z.infer<typeof PartResultSchema>;

/** Where the result of work part `part` of run `runId` goes. */
export function partResultRef(layout: LakeLayout, runId: string, part: number): ObjectRef {
  return layout.artifacts.workObject(runId, `written/part-${String(part).padStart(5, '0')}.json`);
}
