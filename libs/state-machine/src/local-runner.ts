// Must load before aws-local-stepfunctions runs a Task (it calls Promise.withResolvers, Node 22+).
import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AslDefinition, type AslState, type AslStates, taskFunctions } from './definition';

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
   * Stops the execution, as StopExecution would: the result is `ABORTED` at once, no further state
   * starts, and a Map's iterations stop too. A Task handler already running is not interrupted (a
   * JavaScript function cannot be); its result is dropped. An already aborted signal runs nothing.
   */
  readonly signal?: AbortSignal;
}

/** How a local execution ended. */
export type LocalRunResult =
  | { readonly status: 'SUCCEEDED'; readonly executionArn: string; readonly output: unknown }
  | {
      readonly status: 'FAILED';
      readonly executionArn: string;
      /** The execution's error name, e.g. `MissingColumnsError` (a Fail state's ErrorPath) or `States.Runtime`. */
      readonly error: string;
      /** The execution's cause; for a failed Task, the Lambda-shaped JSON `{errorType, errorMessage, trace}`. */
      readonly cause: string;
      /** The state whose error ended the run (the Task whose Catch led to the failure path). */
      readonly failedState?: string;
    }
  | {
      readonly status: 'ABORTED';
      readonly executionArn: string;
      /** The top-level state the execution was in when it was aborted (a Map, not the state inside it). */
      readonly state: string;
    };

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
/** The library's JSON value type (not exported by name). */
type JsonValue = Parameters<TaskHandlers[string]>[0];

/** Region and account of local execution ARNs. */
const LOCAL_REGION = 'local';
const LOCAL_ACCOUNT = '000000000000';
/** aws-local-stepfunctions' own default when a Task has no TimeoutSeconds. */
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
const LOCAL_MEMORY_MB = '1024';

/** The execution ARN a local run reports (and `$$.Execution.Id` holds). */
export function localExecutionArn(executionName: string, stateMachineName = 'ledgerlake'): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${stateMachineName}:${executionName}`;
}

/**
 * Runs a definition in-process with aws-local-stepfunctions: each Task calls the handler of the
 * function its Resource names, with a Lambda-like context, and errors keep their `name` so Retry
 * and Catch match exactly as in AWS. `$$.Execution.Id`/`Name` are the local execution ARN and
 * name; `$$.Execution.StartTime` is the local start time (the library always sets it itself).
 */
export async function runLocally(options: RunLocallyOptions): Promise<LocalRunResult> {
  const { definition, handlers, input, executionName, onStateEntered, onStateExited, retryIntervalMs } = options;
  const stateMachineName = options.stateMachineName ?? 'ledgerlake';
  const executionArn = localExecutionArn(executionName, stateMachineName);
  const tasks = taskFunctions(definition);
  const states = allStates(definition);

  const localHandlers: TaskHandlers = {};
  for (const [stateName, functionName] of Object.entries(tasks)) {
    const handler = handlers[functionName];
    if (handler === undefined) {
      throw new Error(`local-runner: no handler for function ${functionName} (Task ${stateName})`);
    }
    const state = states.get(stateName) as AslState;
    localHandlers[stateName] = invokeAsLambda(handler, functionName, state);
  }

  if (options.signal?.aborted === true) return { status: 'ABORTED', executionArn, state: definition.StartAt };

  // JSON copies, not structuredClone: under jest, structuredClone builds objects of another realm,
  // and the library's intrinsic functions reject those as "not an object".
  const machine = new StateMachine(copyJson(definition) as StateMachineDefinition);
  const execution = machine.run(copyJson(input) as JsonValue, {
    overrides: {
      taskResourceLocalHandlers: localHandlers,
      ...(retryIntervalMs === undefined
        ? {}
        : { retryIntervalOverrides: Object.fromEntries(Object.keys(tasks).map((name) => [name, retryIntervalMs])) }),
    },
    context: {
      Execution: { Id: executionArn, Name: executionName },
      StateMachine: { Id: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${stateMachineName}`, Name: stateMachineName },
    },
  });

  const abort = (): void => execution.abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  let caughtIn: string | undefined;
  let lastFailed: string | undefined;
  // Events of Map iterations carry their `index`; the top-level states are the run's own.
  let topLevelState = definition.StartAt;
  const followEvents = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        if (event.index === undefined) topLevelState = event.state.name;
        onStateEntered?.({ name: event.state.name, type: event.state.type, input: event.state.input });
      }
      if (event.type === 'StateExited') {
        onStateExited?.({ name: event.state.name, type: event.state.type, input: event.state.input, output: event.state.output });
      }
      if (event.type === 'StateCaught') caughtIn ??= event.state.name;
      if (event.type === 'StateFailed' && event.state.type !== 'Fail') lastFailed = event.state.name;
    }
  })();

  let outcome: { output: unknown } | { failure: Error } | { aborted: true };
  try {
    outcome = { output: await execution.result };
  } catch (thrown) {
    const reason = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : thrown;
    outcome = thrown instanceof ExecutionAbortedError ? { aborted: true } : { failure: reason instanceof Error ? reason : new Error(String(reason)) };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  // The event log closes when the execution ends (or is aborted): the failed state, or the state
  // the abort found, is known once it is drained.
  await followEvents;
  if ('aborted' in outcome) return { status: 'ABORTED', executionArn, state: topLevelState };
  if ('output' in outcome) return { status: 'SUCCEEDED', executionArn, output: outcome.output };
  const failedState = caughtIn ?? lastFailed;
  return {
    status: 'FAILED',
    executionArn,
    error: errorName(outcome.failure),
    cause: outcome.failure.message,
    ...(failedState === undefined ? {} : { failedState }),
  };
}

/**
 * Wraps a handler as Lambda would run it for Step Functions: a JSON copy of the input in, a
 * Lambda context, the result serialised to JSON; a thrown error becomes the error Step Functions
 * reports for a Lambda task, `Error` = its `name`, `Cause` = `{"errorType","errorMessage","trace"}`.
 */
function invokeAsLambda(handler: LocalHandler, functionName: string, state: AslState) {
  const timeoutMs = (typeof state['TimeoutSeconds'] === 'number' ? state['TimeoutSeconds'] : DEFAULT_TASK_TIMEOUT_SECONDS) * 1000;
  return async (input: JsonValue): Promise<JsonValue> => {
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
      result = await handler(copyJson(input), context);
    } catch (thrown) {
      throw asTaskError(thrown);
    }
    return (result === undefined ? null : copyJson(result)) as JsonValue;
  };
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
