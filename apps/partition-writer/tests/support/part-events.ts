import {
  readDecisions,
  workPartRef,
  type EnrichmentResult,
  type FinishRunEvent,
  type LoopPreventionResult,
  type PartitionWriterResult,
  type PartValidation,
  type PartWritten,
  type RunState,
  type ValidationResult,
  type WritePartEvent,
} from '@ledgerlake/pipeline';
import type { ObjectStore } from '@ledgerlake/storage';
import { finishRun } from '../../src/finish-run';
import type { PartitionWriterDeps } from '../../src/settings';
import { writePart } from '../../src/write-part';

/** The sections of a seeded run, asserted present. */
export function sections(state: RunState): {
  enrichment: EnrichmentResult;
  loopPrevention: LoopPreventionResult;
  validation: ValidationResult;
} {
  const { enrichment, loop_prevention: loopPrevention, validation } = state;
  if (enrichment === undefined || loopPrevention === undefined || validation === undefined) {
    throw new Error('test: the seeded state lacks a section');
  }
  return { enrichment, loopPrevention, validation };
}

/** What validation reported for one part, from the decisions it left in the work area. */
export async function partValidation(store: ObjectStore, state: RunState, part: number): Promise<PartValidation> {
  const { enrichment } = sections(state);
  const rows = enrichment.parts.find((p) => p.part === part)?.rows ?? 0;
  const condemned = await readDecisions(store, workPartRef(enrichment.work, 'loop-prevention', part));
  const quarantined = await readDecisions(store, workPartRef(enrichment.work, 'validation', part));
  const byReason: Record<string, number> = {};
  for (const decision of quarantined.values()) byReason[decision.code] = (byReason[decision.code] ?? 0) + 1;
  return { part, valid_rows: rows - condemned.size - quarantined.size, quarantined_rows: quarantined.size, quarantine_by_reason: byReason };
}

/** The `WritePart` event of one part of a seeded run, as the Map passes it. */
export async function writePartEvent(store: ObjectStore, state: RunState, part: number): Promise<WritePartEvent> {
  const { enrichment, loopPrevention } = sections(state);
  const listed = enrichment.parts.find((p) => p.part === part);
  if (listed === undefined) throw new Error(`test: no part ${part}`);
  return {
    action: 'write-part',
    run: state.run,
    enrichment,
    loop_prevention: loopPrevention,
    validation: await partValidation(store, state, part),
    part: listed,
  };
}

/** The `FinishRun` event of a seeded run, with the Map's output. */
export function finishEvent(state: RunState, parts: PartWritten[]): FinishRunEvent {
  const { enrichment, loopPrevention, validation } = sections(state);
  return { action: 'finish', run: state.run, enrichment, loop_prevention: loopPrevention, validation, parts };
}

/**
 * A seeded run written as the state machine writes it: `WritePart` for each part (in `order`,
 * default the parts' own), then `FinishRun` over the Map's output.
 */
export async function writeRun(state: RunState, deps: PartitionWriterDeps, order?: readonly number[]): Promise<PartitionWriterResult> {
  const written: PartWritten[] = [];
  for (const part of order ?? sections(state).enrichment.parts.map((p) => p.part)) {
    written.push(await writePart(await writePartEvent(deps.store, state, part), deps));
  }
  return finishRun(finishEvent(state, written), deps);
}
