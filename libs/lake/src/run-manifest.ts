import { QuarantineByReasonSchema, RunContextSchema, SuccessMarkerSchema } from '@ledgerlake/domain';
import { z } from 'zod';
import { ObjectRefSchema, WrittenPartitionSchema } from '@ledgerlake/contract';

/**
 * The run manifest, `runs/<run_id>/manifest.json` in artifacts: the `_SUCCESS` content of the
 * run (its `files` being every Silver key it wrote) plus where everything went and the run's
 * context (mode, backfill month, source, content hash): all promotion needs, whoever starts it.
 * Written once, by the partition writer, with create-if-absent.
 */
export const RunManifestSchema = SuccessMarkerSchema.extend({
  run: RunContextSchema,
  /** SHA-256 of the Bronze object's bytes: the processed-file ledger entry promotion marks processed. */
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  condemned_by_reason: QuarantineByReasonSchema,
  partitions: z.array(WrittenPartitionSchema),
  quarantine_files: z.array(ObjectRefSchema),
  condemned_files: z.array(ObjectRefSchema),
});

/** The run manifest. */
export type RunManifest = z.infer<typeof RunManifestSchema>;
