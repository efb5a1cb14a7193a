import { DATASET, formatRunId } from '@ledgerlake/domain';
import { enrichFile } from '@ledgerlake/enrichment';
import { preventLoops } from '@ledgerlake/loop-prevention';
import { DEFAULT_PARTITION_WRITER_SETTINGS, writePartitions } from '@ledgerlake/partition-writer';
import type { PartitionWriterResult, RunState } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { DEFAULT_VALIDATION_SETTINGS, validateRun } from '@ledgerlake/validation';
import { snappyCompressor } from 'hysnappy';

/** What one in-process run of the row pipeline did. */
export interface RowPipelineRun {
  readonly state: RunState;
  /** Wall time of each function's core, in ms. */
  readonly steps: Record<string, number>;
  readonly written: PartitionWriterResult;
}

/**
 * Runs the four row-pipeline cores on one Bronze object, one after the other, passing the state
 * as the state machine does (each core gets the whole state and returns its own section).
 * A `DUPLICATE_FILE` verdict is an error here: the benchmark and its tests always land new content.
 */
export async function runRowPipeline(
  store: ObjectStore,
  layout: LakeLayout,
  source: ObjectRef,
  started: Date,
  suffix = 'bench',
): Promise<RowPipelineRun> {
  const runId = formatRunId(started, suffix);
  let state: RunState = {
    run: {
      run_id: runId,
      execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`,
      execution_name: runId,
      started_at: started.toISOString(),
      dataset: DATASET,
      mode: 'ingest',
      source: { bucket: source.bucket, key: source.key },
    },
  };
  const steps: Record<string, number> = {};
  const time = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await step();
    steps[name] = performance.now() - t0;
    return result;
  };
  const deps = { store, layout, now: () => started };

  state = { ...state, enrichment: await time('enrichment', () => enrichFile(state, deps)) };
  const loops = await time('loop-prevention', () => preventLoops(state, deps));
  if (loops.status !== 'CONTINUE') throw new Error(`bench: ${source.key} is a duplicate of run ${loops.duplicate_of}`);
  state = { ...state, loop_prevention: loops };
  state = {
    ...state,
    validation: await time('validation', () => validateRun(state, { ...deps, settings: DEFAULT_VALIDATION_SETTINGS })),
  };
  const written = await time('partition-writer', () =>
    writePartitions(state, { ...deps, settings: DEFAULT_PARTITION_WRITER_SETTINGS, compressor: snappyCompressor() }),
  );
  return { state: { ...state, partition_writer: written }, steps, written };
}
