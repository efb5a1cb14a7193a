import { LedgerLakeError, RunContextSchema } from '@ledgerlake/domain';
import {
  EnrichmentResultSchema,
  LoopPreventionResultSchema,
  MapResultsPrefixSchema,
  PartitionWriterResultSchema,
  type MapResultsPrefix,
  ValidationResultSchema,
  type EnrichmentResult,
  type LoopPreventionResult,
  type PartitionWriterResult,
  type ValidationResult,
} from '@ledgerlake/pipeline';
import { z } from 'zod';

/** The failure path's input is not a run state with an error: nothing can be recorded. */
export class FailureStateError extends LedgerLakeError {
  override readonly name = 'FailureStateError' as const;
  readonly retryable = false;
}

/** The error a Step Functions `Catch` stores at `$.error` (and `RecordFailure` puts back, resolved). */
export const StepFunctionsErrorSchema = z.object({
  Error: z.string().min(1),
  // Some errors (e.g. a `States.Timeout`) may come without a Cause.
  Cause: z.string().default(''),
});
/** A Step Functions error. */
export type StepFunctionsError = z.infer<typeof StepFunctionsErrorSchema>;

/**
 * What `RecordFailure` receives: the run context and the error are required; the sections are
 * whatever the run filled before it failed, kept loose here (see `parseFailureState`).
 */
const FailureInputSchema = z.object({
  run: RunContextSchema,
  error: StepFunctionsErrorSchema,
  enrichment: z.unknown().optional(),
  loop_prevention: z.unknown().optional(),
  validation: z.unknown().optional(),
  partition_writer: z.unknown().optional(),
}).loose();

/** The sections of the state machine's other Tasks: only whether they are there matters here. */
const MARKER_SECTIONS = ['recovery', 'plan', 'chunks', 'parts', 'gate', 'promotion', 'gold'] as const;

/** The failed run's state, with every section that was present and well-formed. */
export interface FailureState {
  readonly run: z.infer<typeof RunContextSchema>;
  readonly error: z.infer<typeof StepFunctionsErrorSchema>;
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

const SECTIONS = {
  enrichment: EnrichmentResultSchema,
  loop_prevention: LoopPreventionResultSchema,
  validation: ValidationResultSchema,
  partition_writer: PartitionWriterResultSchema,
} as const;

type SectionName = keyof typeof SECTIONS;

/**
 * Parses the failure path's input. Throws `FailureStateError` naming every problem when `run` or
 * `error` is missing or malformed (no run id: there is nowhere to record). A malformed section
 * does not stop the record — the run is failing already, the record says what is known.
 */
export function parseFailureState(input: unknown): FailureState {
  const parsed = FailureInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
    throw new FailureStateError(`run-recorder: malformed failure state: ${problems.join('; ')}`, { cause: parsed.error });
  }
  const { run, error } = parsed.data;
  const sections: Partial<Record<SectionName, unknown>> = {};
  const malformedSections: string[] = [];
  for (const name of Object.keys(SECTIONS) as SectionName[]) {
    const raw = parsed.data[name];
    if (raw === undefined) continue;
    const section = SECTIONS[name].safeParse(raw);
    if (section.success) sections[name] = section.data;
    else malformedSections.push(name);
  }
  const raw = parsed.data as Record<string, unknown>;
  const present = new Set([...Object.keys(SECTIONS), ...MARKER_SECTIONS].filter((name) => raw[name] !== undefined));
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
