import {
  type EnrichmentResult,
  type LoopPreventionResult,
  MAIN_LINE,
  MapResultsPrefixSchema,
  type MapResultsPrefix,
  parseTaskEvent,
  type PartitionWriterResult,
  ROW_PIPELINE,
  type StepFunctionsError,
  type TaskEvent,
  type ValidationResult,
} from '@ledgerlake/contract';
import { z } from 'zod';

/** The failed run's state, with every section that was present and well-formed. */
export interface FailureState {
  readonly run: TaskEvent<'RecordFailure'>['run'];
  readonly error: StepFunctionsError;
  readonly enrichment?: EnrichmentResult;
  readonly loop_prevention?: LoopPreventionResult;
  readonly validation?: ValidationResult;
  readonly partition_writer?: PartitionWriterResult;
  /** Sections present but not of their schema: left out of the record rather than failing it. */
  readonly malformedSections: readonly string[];
  /** Every section present in the state (what the run got through). */
  readonly present: ReadonlySet<string>;
  /** The gate's decision, when it was taken. */
  readonly gateDecision?: string;
  /** Where the EnrichChunks Map writes its results (`$.plan.chunk_results`), when planning ran. */
  readonly chunkResults?: MapResultsPrefix;
}

/** The sections the record takes counts and the content hash from, with the schema of the Task that fills each. */
const SECTIONS = {
  enrichment: ROW_PIPELINE.CombineChunks.result,
  loop_prevention: ROW_PIPELINE.PreventLoops.result,
  validation: ROW_PIPELINE.CheckBreaker.result,
  partition_writer: ROW_PIPELINE.FinishRun.result,
} as const;

type SectionName = keyof typeof SECTIONS;

/**
 * Parses the failure path's input (`RecordFailure`'s event). Throws `InvalidEventError` naming
 * every problem when `run` or `error` is missing or malformed (no run id: there is nowhere to
 * record). A malformed section does not stop the record — the run is failing already, the record
 * says what is known.
 */
export function parseFailureState(input: unknown): FailureState {
  const event = parseTaskEvent(ROW_PIPELINE.RecordFailure.event, input, 'RecordFailure');
  const { run, error } = event;
  const sections: Partial<Record<SectionName, unknown>> = {};
  const malformedSections: string[] = [];
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const raw = event[name];
    if (raw === undefined) continue;
    const section = SECTIONS[name].safeParse(raw);
    if (section.success) sections[name] = section.data;
    else malformedSections.push(name);
  }
  const raw = event as Record<string, unknown>;
  const present = new Set(MAIN_LINE.map(({ section }) => section).filter((name) => raw[name] !== undefined));
  const decision = (raw['gate'] as { decision?: unknown } | undefined)?.decision;
  const plan = z.object({ chunk_results: MapResultsPrefixSchema }).safeParse(raw['plan']);
  return {
    run,
    error,
    ...(sections as Partial<FailureState>),
    malformedSections,
    present,
    ...(typeof decision === 'string' ? { gateDecision: decision } : {}),
    ...(plan.success ? { chunkResults: plan.data.chunk_results } : {}),
  };
}
