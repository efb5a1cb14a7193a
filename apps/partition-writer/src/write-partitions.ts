import { ObjectConflictError } from '@ledgerlake/domain';
import type {
  EnrichmentResult,
  LoopPreventionResult,
  PartitionWriterResult,
  PartWritten,
  RunState,
  ValidationResult,
} from '@ledgerlake/pipeline';
import { finishRun } from './finish-run';
import type { PartitionWriterDeps } from './settings';
import { writePartRows } from './write-part';

export { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps, type PartitionWriterSettings } from './settings';

/**
 * Writes a run's rows where they belong in one call (PRODUCT.md §4, §5): every enriched work part
 * as `writePart` does, in order, then `finishRun` over all of them (reconciliation, `_SUCCESS` per
 * Silver month, the run manifest). The state machine runs the same steps part by part (`WritePart`
 * in its Map, `FinishRun` after it); this whole-run form serves the deploy-time
 * access recording and the local runner's whole-run event. A run already finished is refused.
 */
export async function writePartitions(state: RunState, deps: PartitionWriterDeps): Promise<PartitionWriterResult> {
  const { enrichment, loopPrevention, validation } = requireInput(state);
  const manifestRef = deps.layout.artifacts.manifest(state.run.run_id);
  if ((await deps.store.head(manifestRef)) !== undefined) {
    // The run already completed: a run never overwrites what it published.
    throw new ObjectConflictError(manifestRef.bucket, manifestRef.key, 'exists');
  }
  const parts: PartWritten[] = [];
  for (const part of enrichment.parts) parts.push(await writePartRows({ run: state.run, enrichment, part }, deps));
  return finishRun(
    { action: 'finish', run: state.run, enrichment, loop_prevention: loopPrevention, validation, parts },
    deps,
  );
}

function requireInput(state: RunState): {
  enrichment: EnrichmentResult;
  loopPrevention: LoopPreventionResult;
  validation: ValidationResult;
} {
  const { enrichment, loop_prevention: loopPrevention, validation } = state;
  if (enrichment === undefined) throw new Error('partition-writer: the state has no enrichment result');
  if (loopPrevention === undefined) throw new Error('partition-writer: the state has no loop_prevention result');
  if (loopPrevention.status !== 'CONTINUE') {
    throw new Error(`partition-writer: loop prevention ended the run (${loopPrevention.status}); nothing to write`);
  }
  if (validation === undefined) throw new Error('partition-writer: the state has no validation result');
  return { enrichment, loopPrevention, validation };
}
