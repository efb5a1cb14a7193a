import { writeMapResults } from '@ledgerlake/testing';
import {
  WorkPartSchema,
  type EnrichmentResult,
  type LoopPreventionResult,
  type PartitionWriterResult,
  type PartValidation,
  type PartWritten,
  type RunState,
  type ValidationResult,
  type TaskEvent,
} from '@ledgerlake/contract';
import { RunManifestSchema, type RunManifest } from '@ledgerlake/lake';
import { parseJson } from '@ledgerlake/storage';
import { readDecisions, readMapItems, workPartRef } from '@ledgerlake/work-area';
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

/** The enriched parts of a seeded run, from its part manifest. */
export async function enrichedParts(store: ObjectStore, state: RunState): Promise<{ part: number; rows: number }[]> {
  return readMapItems(store, sections(state).enrichment.part_manifest, WorkPartSchema, 'enriched part');
}

/** What validation reported for one part, from the decisions it left in the work area. */
export async function partValidation(store: ObjectStore, state: RunState, part: number): Promise<PartValidation> {
  const { enrichment } = sections(state);
  const rows = (await enrichedParts(store, state)).find((p) => p.part === part)?.rows ?? 0;
  const condemned = await readDecisions(store, workPartRef(enrichment.work, 'loop-prevention', part));
  const quarantined = await readDecisions(store, workPartRef(enrichment.work, 'validation', part));
  const byReason: Record<string, number> = {};
  for (const decision of quarantined.values()) byReason[decision.code] = (byReason[decision.code] ?? 0) + 1;
  return { part, valid_rows: rows - condemned.size - quarantined.size, quarantined_rows: quarantined.size, quarantine_by_reason: byReason };
}

/** The `WritePart` event of one part of a seeded run, as the Map passes it. */
export async function writePartEvent(store: ObjectStore, state: RunState, part: number): Promise<TaskEvent<'WritePart'>> {
  const { enrichment, loopPrevention } = sections(state);
  const listed = (await enrichedParts(store, state)).find((p) => p.part === part);
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

/** The `FinishRun` event of a seeded run, with the Map's output: `parts` written as the Map's result files. */
export async function finishEvent(store: ObjectStore, state: RunState, parts: readonly PartWritten[]): Promise<TaskEvent<'FinishRun'>> {
  const { enrichment, loopPrevention, validation } = sections(state);
  const results = await writeMapResults(store, enrichment.part_results, parts);
  return { action: 'finish', run: state.run, enrichment, loop_prevention: loopPrevention, validation, parts: results };
}

/** `FinishRun`'s result with the lists of the run manifest it wrote (every file, by destination). */
export type WrittenRun = PartitionWriterResult & Pick<RunManifest, 'quarantine_files' | 'condemned_files'> & { months: RunManifest['partitions'] };

/**
 * A seeded run written as the state machine writes it: `WritePart` for each part (in `order`,
 * default the parts' own), then `FinishRun` over the Map's output; with the manifest's lists.
 */
export async function writeRun(state: RunState, deps: PartitionWriterDeps, order?: readonly number[]): Promise<WrittenRun> {
  const written: PartWritten[] = [];
  for (const part of order ?? (await enrichedParts(deps.store, state)).map((p) => p.part)) {
    written.push(await writePart(await writePartEvent(deps.store, state, part), deps));
  }
  const result = await finishRun(await finishEvent(deps.store, state, written), deps);
  const bytes = await deps.store.getBytes(result.manifest);
  if (bytes === undefined) throw new Error('test: FinishRun wrote no run manifest');
  const manifest = parseJson(bytes, result.manifest, RunManifestSchema, 'run manifest');
  return { ...result, months: manifest.partitions, quarantine_files: manifest.quarantine_files, condemned_files: manifest.condemned_files };
}
