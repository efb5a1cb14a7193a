import { InvalidEventError, RunContextSchema } from '@ledgerlake/domain';
import { z } from 'zod';
import {
  BlockedResultSchema,
  CheckedResultSchema,
  ChunkEnrichmentSchema,
  ChunkPlanSchema,
  ChunkSchema,
  EnrichmentResultSchema,
  GateCheckSchema,
  GateVerdictSchema,
  GoldRefreshSchema,
  LoopPreventionResultSchema,
  MapRunResultsSchema,
  PartitionWriterResultSchema,
  PartValidationSchema,
  PartWrittenSchema,
  PromotionResultSchema,
  RecordFailureResultSchema,
  RecoverySummarySchema,
  ReportResultSchema,
  RollForwardResultSchema,
  RunStateSchema,
  StepFunctionsErrorSchema,
  ValidationResultSchema,
  WorkPartSchema,
} from './run-state';

/*
 * The row pipeline's contract, keyed by state name (docs/contract/orchestration.md): for every Task
 * of libs/state-machine/src/row-pipeline.asl.json, the function it calls, the `action` its
 * Parameters send, the event the function parses, the result it returns and the section of the
 * state the result is stored under; for every Distributed Map, its items, its child states and its
 * section. A test checks this table against the ASL (every Task and Map has an entry, every entry a
 * state, and each entry's function, action, Parameters keys and ResultPath match), and an end-to-end
 * test parses every Task's real input and output with these schemas. Handlers, the run recorder,
 * the command line's progress and the bench take state names and shapes from here, nowhere else.
 */

/** The functions the row pipeline calls (each an independently deployed service). */
export type PipelineFunction = 'enrichment' | 'loop-prevention' | 'validation' | 'partition-writer' | 'promotion' | 'run-recorder';

/** A Task's event when its Parameters are `{action, run}`. */
const runOnly = <A extends string>(action: A) => z.object({ action: z.literal(action), run: RunContextSchema });

/**
 * A Task's event after enrichment when its Parameters are `{action, run, source_file_id}`: the
 * source file's id travels along for the function's log lines (every line of a run from the file
 * planned on names its file), nothing else reads it.
 */
const runOfFile = <A extends string>(action: A) => runOnly(action).extend({ source_file_id: z.string().min(1) });

/** `RecordFailure`'s event: the failed run's whole state (`$`, with the `Catch`'s `$.error`); its sections are checked one by one by the run recorder. */
export const FailureEventSchema = z
  .object({
    run: RunContextSchema,
    error: StepFunctionsErrorSchema,
    enrichment: z.unknown().optional(),
    loop_prevention: z.unknown().optional(),
    validation: z.unknown().optional(),
    partition_writer: z.unknown().optional(),
  })
  .loose();

/** `ReportRun`'s event: the run and its whole state (only the sections the report reads are checked). */
export const ReportRunEventSchema = z.object({
  action: z.literal('report'),
  run: RunContextSchema,
  state: z
    .object({
      loop_prevention: z.object({ status: z.string(), duplicate_of: z.string().optional() }).loose().optional(),
      gate: z.object({ checks: z.array(GateCheckSchema).optional() }).loose().optional(),
    })
    .loose(),
});

/** One Task of the row pipeline. */
export interface TaskContract {
  readonly kind: 'task';
  readonly function: PipelineFunction;
  /** The event's `action` (the function dispatches on it); absent when the Task passes the whole state. */
  readonly action?: string;
  readonly event: z.ZodType;
  readonly result: z.ZodType;
  /**
   * `ResultPath: $.<section>` (inside a Map child, of the iteration's state); `null`: the result is
   * discarded (`ResultPath: null`); absent: the result is the state's output (a Map child's).
   */
  readonly section?: string | null;
  /** What the state is doing, in words (the command line's progress line). */
  readonly activity: string;
}

/** One Distributed Map of the row pipeline. */
export interface MapContract {
  readonly kind: 'map';
  /** One item of the Map's manifest (`ItemReader`). */
  readonly item: z.ZodType;
  /** Its child states, in order; the last one's result is each child's output. */
  readonly children: readonly string[];
  /** `ResultPath: $.<section>`: where the Map's run and result manifest are stored. */
  readonly section: string;
  readonly activity: string;
}

/** Every Task and Distributed Map of the row pipeline, keyed by state name, in the order a published run passes them. */
export const ROW_PIPELINE = {
  RecoverPromotions: {
    kind: 'task',
    function: 'promotion',
    action: 'recover',
    event: runOnly('recover'),
    result: RecoverySummarySchema,
    section: 'recovery',
    activity: 'Completing earlier promotions',
  },
  PlanChunks: {
    kind: 'task',
    function: 'enrichment',
    action: 'plan',
    event: runOnly('plan'),
    result: ChunkPlanSchema,
    section: 'plan',
    activity: 'Planning the file',
  },
  EnrichChunks: { kind: 'map', item: ChunkSchema, children: ['EnrichChunk'], section: 'chunks', activity: 'Reading rows' },
  EnrichChunk: {
    kind: 'task',
    function: 'enrichment',
    action: 'enrich-chunk',
    event: z.object({ action: z.literal('enrich-chunk'), run: RunContextSchema, plan: ChunkPlanSchema, chunk: ChunkSchema }),
    result: ChunkEnrichmentSchema,
    activity: 'Reading rows',
  },
  CombineChunks: {
    kind: 'task',
    function: 'enrichment',
    action: 'combine',
    event: z.object({ action: z.literal('combine'), run: RunContextSchema, plan: ChunkPlanSchema, chunks: MapRunResultsSchema }),
    result: EnrichmentResultSchema,
    section: 'enrichment',
    activity: 'Combining the chunks',
  },
  PreventLoops: {
    kind: 'task',
    function: 'loop-prevention',
    event: RunStateSchema,
    result: LoopPreventionResultSchema,
    section: 'loop_prevention',
    activity: 'Checking for duplicates',
  },
  ProcessParts: { kind: 'map', item: WorkPartSchema, children: ['ValidatePart', 'WritePart'], section: 'parts', activity: 'Validating and writing rows' },
  ValidatePart: {
    kind: 'task',
    function: 'validation',
    action: 'validate-part',
    event: z.object({
      action: z.literal('validate-part'),
      run: RunContextSchema,
      enrichment: EnrichmentResultSchema,
      loop_prevention: LoopPreventionResultSchema,
      part: WorkPartSchema,
    }),
    result: PartValidationSchema,
    section: 'validation',
    activity: 'Validating and writing rows',
  },
  WritePart: {
    kind: 'task',
    function: 'partition-writer',
    action: 'write-part',
    event: z.object({
      action: z.literal('write-part'),
      run: RunContextSchema,
      enrichment: EnrichmentResultSchema,
      loop_prevention: LoopPreventionResultSchema,
      validation: PartValidationSchema,
      part: WorkPartSchema,
    }),
    result: PartWrittenSchema,
    section: 'written',
    activity: 'Validating and writing rows',
  },
  CheckBreaker: {
    kind: 'task',
    function: 'validation',
    action: 'check-breaker',
    event: z.object({ action: z.literal('check-breaker'), run: RunContextSchema, enrichment: EnrichmentResultSchema, parts: MapRunResultsSchema }),
    result: ValidationResultSchema,
    section: 'validation',
    activity: 'Checking the circuit breaker',
  },
  FinishRun: {
    kind: 'task',
    function: 'partition-writer',
    action: 'finish',
    event: z.object({
      action: z.literal('finish'),
      run: RunContextSchema,
      enrichment: EnrichmentResultSchema,
      loop_prevention: LoopPreventionResultSchema,
      validation: ValidationResultSchema,
      parts: MapRunResultsSchema,
    }),
    result: PartitionWriterResultSchema,
    section: 'partition_writer',
    activity: 'Finishing the run',
  },
  EvaluateGate: {
    kind: 'task',
    function: 'promotion',
    action: 'evaluate-gate',
    event: runOfFile('evaluate-gate'),
    result: GateVerdictSchema,
    section: 'gate',
    activity: 'Checking the promotion gate',
  },
  Promote: {
    kind: 'task',
    function: 'promotion',
    action: 'promote',
    event: runOfFile('promote'),
    result: PromotionResultSchema,
    section: 'promotion',
    activity: 'Publishing',
  },
  RefreshGold: {
    kind: 'task',
    function: 'promotion',
    action: 'refresh-gold',
    event: runOfFile('refresh-gold'),
    result: GoldRefreshSchema,
    section: 'gold',
    activity: 'Building Gold aggregates',
  },
  RollForward: {
    kind: 'task',
    function: 'promotion',
    action: 'roll-forward',
    event: runOfFile('roll-forward'),
    result: RollForwardResultSchema,
    section: 'rolled_forward',
    activity: 'Completing the promotion',
  },
  RecordBlocked: {
    kind: 'task',
    function: 'promotion',
    action: 'record-blocked',
    event: runOfFile('record-blocked').extend({ gate: GateVerdictSchema }),
    result: BlockedResultSchema,
    section: 'blocked',
    activity: 'Recording the outcome',
  },
  RecordDryRun: {
    kind: 'task',
    function: 'promotion',
    action: 'record-dry-run',
    event: runOfFile('record-dry-run').extend({ gate: GateVerdictSchema }),
    result: CheckedResultSchema,
    section: 'checked',
    activity: 'Recording the outcome',
  },
  RecordFailure: {
    kind: 'task',
    function: 'run-recorder',
    event: FailureEventSchema,
    result: RecordFailureResultSchema,
    section: 'error',
    activity: 'Recording the failure',
  },
  ReportRun: {
    kind: 'task',
    function: 'run-recorder',
    action: 'report',
    event: ReportRunEventSchema,
    result: ReportResultSchema,
    section: null,
    activity: 'Writing the run report',
  },
} as const satisfies Record<string, TaskContract | MapContract>;

/** The name of a Task or Distributed Map of the row pipeline. */
export type PipelineStateName = keyof typeof ROW_PIPELINE;

type Contracts = typeof ROW_PIPELINE;

/** The name of a Task of the row pipeline. */
export type TaskStateName = { [N in PipelineStateName]: Contracts[N] extends { kind: 'task' } ? N : never }[PipelineStateName];

/** The name of a Distributed Map of the row pipeline. */
export type MapStateName = Exclude<PipelineStateName, TaskStateName>;

/** The event of Task `N` (what its function parses). */
export type TaskEvent<N extends TaskStateName> = z.infer<Contracts[N]['event']>;

/** The result of Task `N` (what its function returns). */
export type TaskResult<N extends TaskStateName> = z.infer<Contracts[N]['result']>;

/** The Task whose result is each child's output of Map `M`: its last child. */
export type MapOutputState<M extends MapStateName> = Contracts[M]['children'] extends readonly [...unknown[], infer Last extends TaskStateName] ? Last : never;

/** What each child execution of Map `M` outputs (what its `ResultWriter` stores). */
export type MapOutput<M extends MapStateName> = TaskResult<MapOutputState<M>>;

/** The schema of each child's output of Map `M`: its last child's result. */
export function mapOutputSchema<M extends MapStateName>(map: M): Contracts[MapOutputState<M>]['result'] {
  const { children } = ROW_PIPELINE[map];
  return ROW_PIPELINE[children[children.length - 1] as MapOutputState<M>].result;
}

/** The state names, in the order a published run passes them. */
export const PIPELINE_STATE_NAMES = Object.keys(ROW_PIPELINE) as PipelineStateName[];

/**
 * The Tasks and Maps on the row pipeline's main line (not inside a Map, not the outcome paths), in
 * order, with the section each fills. The state machine stops at the first one that fails, so the
 * failed state is the one after the last whose section is in the state.
 */
export const MAIN_LINE: readonly { readonly state: PipelineStateName; readonly section: string }[] = (
  ['RecoverPromotions', 'PlanChunks', 'EnrichChunks', 'CombineChunks', 'PreventLoops', 'ProcessParts', 'CheckBreaker', 'FinishRun', 'EvaluateGate', 'Promote', 'RefreshGold'] as const
).map((state) => ({ state, section: ROW_PIPELINE[state].section }));

/** Whether `name` is a state of the row pipeline's contract (e.g. a state event's name). */
export function isPipelineState(name: string): name is PipelineStateName {
  return Object.hasOwn(ROW_PIPELINE, name);
}

/**
 * The Tasks after `IsDuplicateFile` run only for a file loop prevention let through: an event of
 * theirs with any other verdict (a hand-made one, a changed definition) is refused, naming `state`.
 */
export function requireContinue(loopPrevention: TaskResult<'PreventLoops'>, state: TaskStateName): void {
  if (loopPrevention.status !== 'CONTINUE') {
    throw new InvalidEventError(state, [`loop_prevention.status: loop prevention ended the run (${loopPrevention.status}); there is nothing to do`]);
  }
}

/**
 * Parses a Task's event with `schema` (one state's event, or a union of a function's states'),
 * throwing `InvalidEventError` naming `states` and every problem (path and message) instead of a
 * ZodError: Step Functions and the run record then see one named error.
 */
export function parseTaskEvent<S extends z.ZodType>(schema: S, input: unknown, states: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InvalidEventError(
    states,
    parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'the event' : issue.path.join('.')}: ${issue.message}`),
  );
}
