// Must load before aws-local-stepfunctions runs a Task (it calls Promise.withResolvers, Node 22+).
import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ExecutionAbortedError, ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AslDefinition, type AslState, type AslStates, taskFunctions } from './definition';
import {
  checkDistributedMaps,
  type DistributedMapParent,
  distributedMapHandler,
  type JsonValue,
  type LibraryTaskHandler,
  type LocalObjectPort,
  replaceDistributedMaps,
} from './distributed-map';
import {
  DATA_LIMIT_EXCEEDED,
  dataLimitCause,
  emptyStats,
  type LibraryEvent,
  type LocalRunStats,
  type MeasuredPayload,
  PAYLOAD_LIMIT_BYTES,
  type PayloadKind,
  stateError,
  StatsRecorder,
} from './execution-stats';

/** The Lambda context a local handler receives: the fields LedgerLake's middy chain and Powertools read. */
export interface LocalLambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A function as the runner calls it: a Lambda handler (`createHandler(deps)` of an app, or a fake). */
export type LocalHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** A state the execution entered or left, as the runner reports it. */
export interface LocalStateEvent {
  readonly name: string;
  readonly type: string;
  readonly input: unknown;
  /** Only when leaving the state. */
  readonly output?: unknown;
}

/** What `runLocally` needs. */
export interface RunLocallyOptions {
  /** A definition with its placeholders filled (`loadDefinition`). */
  readonly definition: AslDefinition;
  /** Handlers by Lambda FUNCTION name (`ledgerlake-<stage>-<fn>`); the runner binds them to the states naming them. */
  readonly handlers: Readonly<Record<string, LocalHandler>>;
  readonly input: unknown;
  /** The execution name: by LedgerLake's rule, the run id. */
  readonly executionName: string;
  /** Default `ledgerlake`: the state machine name in the execution ARN. */
  readonly stateMachineName?: string;
  /**
   * Milliseconds to wait before each retry instead of the definition's backoff (tests pass 0).
   * Default: the definition's own IntervalSeconds/BackoffRate/JitterStrategy, as in AWS.
   */
  readonly retryIntervalMs?: number;
  readonly onStateEntered?: (event: LocalStateEvent) => void;
  readonly onStateExited?: (event: LocalStateEvent) => void;
  /**
   * Told of each Lambda Task's invocation that returned: the state, the event its function got
   * (after `Parameters`) and what it returned, as JSON (a Distributed Map's children included).
   */
  readonly onTask?: (task: LocalTaskCall) => void;
  /**
   * Stops the execution, as StopExecution would: the result is `ABORTED` at once, no further state
   * starts, and a Map's iterations stop too. A Task handler already running is not interrupted (a
   * JavaScript function cannot be); its result is dropped. An already aborted signal runs nothing.
   * The child executions of a Distributed Map are aborted with it.
   */
  readonly signal?: AbortSignal;
  /**
   * The S3 objects Distributed Maps read (`ItemReader`) and write (`ResultWriter`): required when
   * the definition has such a Map (`runLocally` throws before running otherwise).
   */
  readonly objects?: LocalObjectPort;
  /**
   * The handlers (by function name) for the child executions of a Distributed Map of `itemCount`
   * items, e.g. ones that send them to worker threads. Default: `handlers`.
   */
  readonly childHandlers?: (itemCount: number) => Readonly<Record<string, LocalHandler>>;
}

/** One Lambda Task invocation that returned. */
export interface LocalTaskCall {
  readonly state: string;
  readonly functionName: string;
  readonly event: unknown;
  readonly result: unknown;
}

/** How a local execution ended; every result carries its `stats`. */
export type LocalRunResult =
  | { readonly status: 'SUCCEEDED'; readonly executionArn: string; readonly output: unknown; readonly stats: LocalRunStats }
  | {
      readonly status: 'FAILED';
      readonly executionArn: string;
      /**
       * The execution's error name, e.g. `MissingColumnsError` (a Fail state's ErrorPath),
       * `States.Runtime`, or `States.DataLimitExceeded` (a payload over `PAYLOAD_LIMIT_BYTES`).
       */
      readonly error: string;
      /** The execution's cause; for a failed Task, the Lambda-shaped JSON `{errorType, errorMessage, trace}`. */
      readonly cause: string;
      /** The state whose error ended the run (the Task whose Catch led to the failure path). */
      readonly failedState?: string;
      readonly stats: LocalRunStats;
    }
  | {
      readonly status: 'ABORTED';
      readonly executionArn: string;
      /** The top-level state the execution was in when it was aborted (a Map, not the state inside it). */
      readonly state: string;
      readonly stats: LocalRunStats;
    };

type TaskHandlers = Record<string, LibraryTaskHandler>;

/** Region and account of local execution ARNs. */
const LOCAL_REGION = 'local';
const LOCAL_ACCOUNT = '000000000000';
/** aws-local-stepfunctions' own default when a Task has no TimeoutSeconds. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
const LOCAL_MEMORY_MB = '1024';
const ARN_PREFIX = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
/**
 * The library never validates what it is given: asl-validator takes 100–300 ms a definition, paid
 * by every command that runs one (and by each Map's processor and item selector). What the runner
 * runs — the definition, its emulated form, each processor and item selector — is checked by
 * asl-validator in the tests instead (definition.test.ts).
 */
const NO_VALIDATION = { validationOptions: { noValidate: true } } as const;

/** The execution ARN a local run reports (and `$$.Execution.Id` holds). */
export function localExecutionArn(executionName: string, stateMachineName = 'ledgerlake'): string {
  return `${ARN_PREFIX}:execution:${stateMachineName}:${executionName}`;
}

/**
 * Runs a definition in-process with aws-local-stepfunctions: each Task calls the handler of the
 * function its Resource names, with a Lambda-like context, and errors keep their `name` so Retry
 * and Catch match exactly as in AWS. `$$.Execution.Id`/`Name` are the local execution ARN and
 * name; `$$.Execution.StartTime` is the local start time (the library always sets it itself).
 *
 * Distributed Maps run as `distributed-map.ts` describes, each child a `runLocally` of its own.
 * As in AWS, a state input or output, or a Lambda request or response, over
 * `PAYLOAD_LIMIT_BYTES` fails the execution at once with `States.DataLimitExceeded`, which no
 * Retry or Catch matches. Every result reports the run's `stats` (`HistoryCounter` counts its
 * history).
 */
export async function runLocally(options: RunLocallyOptions): Promise<LocalRunResult> {
  const { definition, executionName } = options;
  const stateMachineName = options.stateMachineName ?? 'ledgerlake';
  const executionArn = localExecutionArn(executionName, stateMachineName);
  checkDistributedMaps(definition, options.objects !== undefined);
  const emulated = replaceDistributedMaps(definition);
  const lambdas = boundLambdas(definition, emulated.definition, options);

  if (options.signal?.aborted === true) return { status: 'ABORTED', executionArn, state: definition.StartAt, stats: emptyStats() };

  const monitor = new ExecutionMonitor(new Set(emulated.distributedMaps.keys()));
  const context = {
    Execution: { Id: executionArn, Name: executionName },
    StateMachine: { Id: `${ARN_PREFIX}:stateMachine:${stateMachineName}`, Name: stateMachineName },
  };
  const parent: DistributedMapParent = {
    options,
    stateMachineName,
    arnPrefix: ARN_PREFIX,
    context,
    signal: monitor.stop.signal,
    runChild: runLocally,
    onChild: (result) => monitor.stats.child(result.stats),
    onFatal: (error) => monitor.failFatally(error),
  };
  const handlers = localHandlers(lambdas, emulated.distributedMaps, monitor, parent, options.onTask);
  const execution = startExecution(options, emulated.definition, handlers, context);
  monitor.attach(() => execution.abort());

  const abort = (): void => monitor.halt();
  options.signal?.addEventListener('abort', abort, { once: true });
  const followed = followEvents(execution.eventLogs, definition.StartAt, monitor, options);
  let outcome: Outcome;
  try {
    outcome = await outcomeOf(execution.result);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  // The event log closes when the execution ends (or is aborted): the failed state, or the state
  // the abort found, is known once it is drained. Children still running are aborted and awaited.
  const { topLevelState, failedState } = await followed;
  monitor.stop.abort();
  await monitor.settled();
  if (monitor.fatal !== undefined) throw monitor.fatal;
  const stats = monitor.stats.stats();
  const { violation } = monitor;
  if (violation !== undefined) {
    return { status: 'FAILED', executionArn, error: DATA_LIMIT_EXCEEDED, cause: dataLimitCause(violation), failedState: violation.state, stats };
  }
  if ('aborted' in outcome) return { status: 'ABORTED', executionArn, state: topLevelState, stats };
  if ('output' in outcome) return { status: 'SUCCEEDED', executionArn, output: outcome.output, stats };
  return {
    status: 'FAILED',
    executionArn,
    error: errorName(outcome.failure),
    cause: outcome.failure.message,
    ...(failedState === undefined ? {} : { failedState }),
    stats,
  };
}

/** How the library's execution ended. */
type Outcome = { readonly output: unknown } | { readonly failure: Error } | { readonly aborted: true };

async function outcomeOf(result: Promise<unknown>): Promise<Outcome> {
  try {
    return { output: await result };
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError) return { aborted: true };
    const reason = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : thrown;
    return { failure: reason instanceof Error ? reason : new Error(String(reason)) };
  }
}

/** The library's local handlers by state name: each Lambda Task's, and each Distributed Map's. */
function localHandlers(
  lambdas: ReadonlyMap<string, BoundLambda>,
  distributedMaps: ReadonlyMap<string, AslState>,
  monitor: ExecutionMonitor,
  parent: DistributedMapParent,
  onTask: RunLocallyOptions['onTask'],
): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const [stateName, { functionName, handler, state }] of lambdas) {
    handlers[stateName] = invokeAsLambda(handler, functionName, stateName, state, monitor, onTask);
  }
  for (const [stateName, state] of distributedMaps) {
    const handler = distributedMapHandler(stateName, state, parent);
    handlers[stateName] = (request) => monitor.track(Promise.resolve(handler(request)));
  }
  return handlers;
}

/** Starts the library's execution of the emulated definition. */
function startExecution(
  options: RunLocallyOptions,
  emulated: AslDefinition,
  handlers: TaskHandlers,
  context: DistributedMapParent['context'],
): ReturnType<StateMachine['run']> {
  // JSON copies, not structuredClone: under jest, structuredClone builds objects of another realm,
  // and the library's intrinsic functions reject those as "not an object".
  const machine = new StateMachine(copyJson(emulated) as StateMachineDefinition, NO_VALIDATION);
  const { retryIntervalMs } = options;
  const retryable = [...allStates(emulated)].filter(([, state]) => state.Retry !== undefined).map(([name]) => name);
  return machine.run(copyJson(options.input) as JsonValue, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      ...(retryIntervalMs === undefined ? {} : { retryIntervalOverrides: Object.fromEntries(retryable.map((name) => [name, retryIntervalMs])) }),
    },
    context,
  });
}

/** A Lambda Task the library runs in this execution (not in a Distributed Map's children), with its handler. */
interface BoundLambda {
  readonly functionName: string;
  readonly handler: LocalHandler;
  readonly state: AslState;
}

/**
 * The Lambda Tasks of the emulated definition with their handlers. Throws if a function has no
 * handler: any Task's, or only this execution's own when Distributed Map children get theirs
 * from `childHandlers` (their own runs check those).
 */
function boundLambdas(definition: AslDefinition, emulated: AslDefinition, options: RunLocallyOptions): Map<string, BoundLambda> {
  const tasks = taskFunctions(definition);
  const states = allStates(emulated);
  const bound = new Map<string, BoundLambda>();
  for (const [stateName, functionName] of Object.entries(tasks)) {
    const state = states.get(stateName);
    if (state === undefined && options.childHandlers !== undefined) continue;
    const handler = options.handlers[functionName];
    if (handler === undefined) {
      throw new Error(`local-runner: no handler for function ${functionName} (Task ${stateName})`);
    }
    if (state !== undefined) bound.set(stateName, { functionName, handler, state });
  }
  return bound;
}

/**
 * What one execution's handlers and event log report into: its stats, the first payload over
 * the limit, an error that keeps it from running at all, and what stops it.
 */
class ExecutionMonitor {
  readonly stats: StatsRecorder;
  /**
   * Aborted when the execution stops or ends: Distributed Maps start no child and abort theirs.
   * Every running child listens to it (up to MaxConcurrency at once): no listener limit.
   */
  readonly stop = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  /** The first payload over `PAYLOAD_LIMIT_BYTES`. */
  violation: MeasuredPayload | undefined;
  /** An error the run rejects with (a child execution that could not start). */
  fatal: Error | undefined;
  private abortExecution: () => void = () => undefined;
  private readonly running = new Set<Promise<unknown>>();

  /** @param distributedMaps the states that run as Distributed Maps (Tasks to the library). */
  constructor(readonly distributedMaps: ReadonlySet<string>) {
    this.stats = new StatsRecorder(distributedMaps);
  }

  attach(abortExecution: () => void): void {
    this.abortExecution = abortExecution;
  }

  /** Stops the execution at once, and the children of its Distributed Maps. */
  halt(): void {
    this.stop.abort();
    this.abortExecution();
  }

  /** Whether a payload is within the limit; the first one over it halts the execution. */
  within(payload: MeasuredPayload): boolean {
    if (payload.bytes <= PAYLOAD_LIMIT_BYTES) return true;
    this.violation ??= payload;
    this.halt();
    return false;
  }

  /** `States.DataLimitExceeded` for the first violation, terminal: no Retry or Catch matches it. */
  dataLimitError(): Error {
    return stateError(DATA_LIMIT_EXCEEDED, this.violation === undefined ? DATA_LIMIT_EXCEEDED : dataLimitCause(this.violation), true);
  }

  failFatally(error: Error): void {
    this.fatal ??= error;
    this.halt();
  }

  /** Keeps a Distributed Map's run until it settles: the execution's result waits for it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const forget = (): void => void this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}

/**
 * Follows the library's event log: stats and payload limit, the callbacks (a Distributed Map
 * reported as the Map it is), and which state the run was in or failed in.
 */
async function followEvents(
  events: AsyncGenerator<LibraryEvent>,
  startAt: string,
  monitor: ExecutionMonitor,
  options: RunLocallyOptions,
): Promise<{ topLevelState: string; failedState: string | undefined }> {
  const { onStateEntered, onStateExited } = options;
  const typeOf = (state: { name: string; type: string }): string => (monitor.distributedMaps.has(state.name) ? 'Map' : state.type);
  let caughtIn: string | undefined;
  let lastFailed: string | undefined;
  // Events of Map iterations carry their `index`; the top-level states are the run's own.
  let topLevelState = startAt;
  for await (const event of events) {
    const payload = monitor.stats.observe(event);
    if (payload !== undefined) monitor.within(payload);
    if (event.type === 'StateEntered') {
      if (event.index === undefined) topLevelState = event.state.name;
      onStateEntered?.({ name: event.state.name, type: typeOf(event.state), input: event.state.input });
    }
    if (event.type === 'StateExited') {
      onStateExited?.({ name: event.state.name, type: typeOf(event.state), input: event.state.input, output: event.state.output });
    }
    if (event.type === 'StateCaught') caughtIn ??= event.state.name;
    if (event.type === 'StateFailed' && event.state.type !== 'Fail') lastFailed = event.state.name;
  }
  return { topLevelState, failedState: caughtIn ?? lastFailed };
}

/**
 * Wraps a handler as Lambda would run it for Step Functions: a JSON copy of the input in, a
 * Lambda context, the result serialised to JSON (both measured against the payload limit); a
 * thrown error becomes the error Step Functions reports for a Lambda task, `Error` = its `name`, `Cause` = `{"errorType","errorMessage","trace"}`.
 */
function invokeAsLambda(
  handler: LocalHandler,
  functionName: string,
  stateName: string,
  state: AslState,
  monitor: ExecutionMonitor,
  onTask: RunLocallyOptions['onTask'],
) {
  const timeoutMs = (typeof state['TimeoutSeconds'] === 'number' ? state['TimeoutSeconds'] : DEFAULT_TASK_TIMEOUT_SECONDS) * 1000;
  return async (input: JsonValue): Promise<JsonValue> => {
    // The event log is read asynchronously: once it has caught up, a state payload over the limit
    // (or an abort) has stopped the run, and this handler must not start.
    await new Promise((resolve) => setImmediate(resolve));
    if (monitor.violation !== undefined) throw monitor.dataLimitError();
    if (monitor.stop.signal.aborted) throw stateError('States.Aborted', `Task ${stateName} did not start: its execution had stopped.`);
    const request = JSON.stringify(input) ?? 'null';
    measureTask(monitor, stateName, 'request', request);
    const deadline = Date.now() + timeoutMs;
    const awsRequestId = randomUUID();
    const context: LocalLambdaContext = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: state.Resource as string,
      memoryLimitInMB: LOCAL_MEMORY_MB,
      awsRequestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let result: unknown;
    try {
      result = await handler(JSON.parse(request), context);
    } catch (thrown) {
      throw asTaskError(thrown);
    }
    const response = JSON.stringify(result) ?? 'null';
    measureTask(monitor, stateName, 'response', response);
    const output = JSON.parse(response) as JsonValue;
    onTask?.({ state: stateName, functionName, event: JSON.parse(request), result: output });
    return output;
  };
}

/** Records a Lambda request or response (`json`); one over the limit throws `States.DataLimitExceeded`. */
function measureTask(monitor: ExecutionMonitor, state: string, kind: PayloadKind, json: string): void {
  const payload: MeasuredPayload = { state, kind, bytes: Buffer.byteLength(json, 'utf8') };
  monitor.stats.task(payload);
  if (!monitor.within(payload)) throw monitor.dataLimitError();
}

/** The error Step Functions sees for a failed Lambda task: same `name`, Lambda's JSON cause as message. */
function asTaskError(thrown: unknown): Error {
  const original = thrown instanceof Error ? thrown : new Error(String(thrown));
  const name = errorName(original);
  const cause = JSON.stringify({
    errorType: name,
    errorMessage: original.message,
    trace: (original.stack ?? '').split('\n'),
  });
  // A plain Error: the library reads `name` for ErrorEquals and `message` as the Cause, and would
  // honour a stray `isRetryable`/`isCatchable` on the original; none is copied.
  const taskError = new Error(cause);
  taskError.name = name;
  return taskError;
}

/** A JSON round trip: what crossing the Lambda / Step Functions boundary does to a value. */
function copyJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

function errorName(error: Error): string {
  return typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
}

function allStates(definition: AslStates): Map<string, AslState> {
  const found = new Map<string, AslState>();
  const visit = (states: AslStates): void => {
    for (const [name, state] of Object.entries(states.States)) {
      found.set(name, state);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) visit(processor);
      for (const branch of state.Branches ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}
