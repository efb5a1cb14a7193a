import { QuarantineByReasonSchema, SuccessMarkerSchema } from '@ledgerlake/domain';
import { z } from 'zod';
import { ObjectRefSchema, WrittenPartitionSchema } from './run-state';

/**
 * The run manifest, `runs/<run_id>/manifest.json` in artifacts: the `_SUCCESS` content of the
 * run (its `files` being every Silver key it wrote) plus where everything went. Written once, by
 * the partition writer, with create-if-absent.
 */
export const RunManifestSchema = SuccessMarkerSchema.extend({
  condemned_by_reason: QuarantineByReasonSchema,
  partitions: z.array(WrittenPartitionSchema),
  quarantine_files: z.array(ObjectRefSchema),
  condemned_files: z.array(ObjectRefSchema),
});

/** The run manifest. */
export type RunManifest = z.infer<typeof RunManifestSchema>;
