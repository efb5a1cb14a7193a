import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import { RunStateSchema, type Compressor, type PartitionWriterResult } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { DEFAULT_PARTITION_WRITER_SETTINGS, writePartitions, type PartitionWriterSettings } from './write-partitions';

export {
  PartitionWriterConfigSchema,
  settingsFromConfig,
  type PartitionWriterConfig,
} from './config';
export { reconcile, type ReconciliationInput } from './reconcile';
export { REJECTED_COLUMNS, RUN_CONSTANT_COLUMNS, SILVER_COLUMNS } from './tables';
export {
  DEFAULT_PARTITION_WRITER_SETTINGS,
  writePartitions,
  type PartitionWriterDeps,
  type PartitionWriterSettings,
} from './write-partitions';

/** What the partition-writer handler is built from: the cloud wiring passes S3, the local runner a filesystem lake. */
export interface PartitionWriterHandlerDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly obs: Observability;
  /** Default `DEFAULT_PARTITION_WRITER_SETTINGS`. */
  readonly settings?: PartitionWriterSettings;
  /** Snappy compressor for Parquet pages; pass hysnappy's `snappyCompressor()` (3x faster than the default). */
  readonly compressor?: Compressor;
  readonly now?: () => Date;
}

/**
 * The partition-writer Lambda handler: the run state in (`$`), the `$.partition_writer` section
 * out, inside the middy chain every LedgerLake function uses.
 */
export function createHandler(deps: PartitionWriterHandlerDeps) {
  const { store, layout, obs, compressor, now } = deps;
  const settings = deps.settings ?? DEFAULT_PARTITION_WRITER_SETTINGS;
  return withObservability<unknown, PartitionWriterResult>(async (event) => {
    const state = RunStateSchema.parse(event);
    const started = Date.now();
    const result = await writePartitions(state, { store, layout, settings, compressor, now });
    recordRunMetrics(obs.metrics, { ...result.counts, duration_ms: Date.now() - started });
    const summary = {
      counts: result.counts,
      quarantine_by_reason: result.quarantine_by_reason,
      condemned_by_reason: result.condemned_by_reason,
      partitions: result.partitions.map((p) => ({ year: p.year, month: p.month, rows: p.rows, files: p.files.length })),
    };
    if (result.critical_errors.length > 0) {
      obs.logger.error('run does not reconcile', { ...summary, critical_errors: result.critical_errors });
    } else {
      obs.logger.info('partitions written', summary);
    }
    return result;
  }, obs);
}
