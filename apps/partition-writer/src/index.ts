import { recordRunMetrics, withObservability, type Observability } from '@ledgerlake/observability';
import { type PartitionWriterResult, type PartWritten, parseTaskEvent, ROW_PIPELINE } from '@ledgerlake/contract';
import { runLayout } from '@ledgerlake/lake';
import { type Compressor } from '@ledgerlake/parquet';
import type { DatasetRegistry } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { finishRun } from './finish-run';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps, type PartitionWriterSettings } from './settings';
import { writePart } from './write-part';

export {
  PartitionWriterConfigSchema,
  settingsFromConfig,
  type PartitionWriterConfig,
} from './config';
export { finishRun } from './finish-run';
export { partResultRef, PartResultSchema, type PartResult } from './part-result';
export { reconcile, type ReconciliationInput } from './reconcile';
export {
  DEFAULT_PARTITION_WRITER_SETTINGS,
  type PartitionWriterDeps,
  type PartitionWriterSettings,
} from './settings';
export { writePart } from './write-part';

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
  /** The datasets a run may name (`runLayout`); default the shipped ones. */
  readonly datasets?: DatasetRegistry;
}

/** The events of the state machine's tasks this function serves, told apart by `action`. */
const ActionEventSchema = z.discriminatedUnion('action', [ROW_PIPELINE.WritePart.event, ROW_PIPELINE.FinishRun.event]);

/**
 * The partition-writer Lambda handler, inside the middy chain every LedgerLake function uses. It
 * serves two tasks of the state machine, by the event's `action`:
 * - `write-part` (`WritePart`, in the `ProcessParts` Map): one work part → `PartWritten`;
 * - `finish` (`FinishRun`, after the Map): every part's `PartWritten`, from the Map's result files → `$.partition_writer`.
 */
export function createHandler(deps: PartitionWriterHandlerDeps) {
  const core: PartitionWriterDeps = {
    store: deps.store,
    layout: deps.layout,
    settings: deps.settings ?? DEFAULT_PARTITION_WRITER_SETTINGS,
    compressor: deps.compressor,
    now: deps.now,
  };
  const { obs } = deps;
  const finished = (result: PartitionWriterResult) => {
    const summary = {
      counts: result.counts,
      quarantine_by_reason: result.quarantine_by_reason,
      condemned_by_reason: result.condemned_by_reason,
      partitions: result.partitions,
    };
    if (result.critical_error_count > 0) {
      obs.logger.error('run does not reconcile', { ...summary, critical_errors: result.critical_errors, critical_error_count: result.critical_error_count });
    } else {
      obs.logger.info('partitions written', summary);
    }
    return result;
  };
  return withObservability<unknown, PartWritten | PartitionWriterResult>(async (event) => {
    const started = Date.now();
    const parsed = parseTaskEvent(ActionEventSchema, event, 'WritePart or FinishRun');
    const runCore: PartitionWriterDeps = { ...core, layout: runLayout(deps.layout, parsed.run, deps.datasets) };
    if (parsed.action === 'write-part') {
      const result = await writePart(parsed, runCore);
      // Row counts are recorded where the rows are written, part by part: summed over a run they
      // equal the run's (FinishRun adds none, so nothing is counted twice).
      recordRunMetrics(obs.metrics, { ...result.counts, duration_ms: Date.now() - started });
      obs.logger.info('part written', { ...result });
      return result;
    }
    const result = await finishRun(parsed, runCore);
    recordRunMetrics(obs.metrics, { duration_ms: Date.now() - started });
    return finished(result);
  }, obs);
}
