import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * What a local run measures as it goes: its history as AWS would count it, its largest payloads,
 * and the 256 KiB payload limit AWS enforces (`States.DataLimitExceeded`).
 */

/**
 * The payload limit of Step Functions: a state's input or output, or a Task's request or response,
 * of more bytes than this (UTF-8 of its JSON) fails the execution with `States.DataLimitExceeded`.
 */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** The error a payload over `PAYLOAD_LIMIT_BYTES` fails an execution with; no Retry or Catch matches it. */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/** A state and the size of one of its payloads. */
export interface PayloadSize {
  readonly state: string;
  /** Bytes of the payload's JSON in UTF-8. */
  readonly bytes: number;
}

/** Sizes and history of a local run, as its `stats`. */
export interface LocalRunStats {
  /** Events in this execution's history as AWS would count them (`HistoryCounter`); child executions of a Distributed Map have their own. */
  readonly history_events: number;
  /** The largest input or output of any state, child executions included. */
  readonly largest_state_payload: PayloadSize | undefined;
  /** The largest request or response of any Lambda Task, child executions included. */
  readonly largest_task_payload: PayloadSize | undefined;
  /** Child executions of Distributed Maps, at any depth. */
  readonly child_executions: number;
  /** The largest `history_events` of any child execution, at any depth (0 without children). */
  readonly largest_child_history: number;
}

/** Which payload of a state went over the limit. */
export type PayloadKind = 'input' | 'output' | 'request' | 'response';

/** One payload of a state, measured: what `PAYLOAD_LIMIT_BYTES` is checked against. */
export interface MeasuredPayload extends PayloadSize {
  readonly kind: PayloadKind;
}

/** An event of the library's event log (its type is not exported by name). */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Bytes of a value's JSON in UTF-8 (`undefined` counts as `null`). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

/** The Cause of `States.DataLimitExceeded`: one sentence naming the state, the payload and its size. */
export function dataLimitCause(violation: MeasuredPayload): string {
  return (
    `The ${violation.kind} of state ${violation.state} is ${violation.bytes} bytes, ` +
    `over the ${PAYLOAD_LIMIT_BYTES}-byte payload limit of Step Functions.`
  );
}

/**
 * An error Step Functions reports with `Error` = `name` and `Cause` = `message`. A terminal one
 * (like `States.DataLimitExceeded` or `States.Runtime`) is matched by no Retry and no Catch: the
 * library reads `isRetryable`/`isCatchable` for that.
 */
export function stateError(name: string, cause: string, terminal = false): Error {
  const error = new Error(cause);
  error.name = name;
  if (terminal) Object.defineProperties(error, { isRetryable: { value: false }, isCatchable: { value: false } });
  return error;
}

function larger(current: PayloadSize | undefined, candidate: PayloadSize | undefined): PayloadSize | undefined {
  if (candidate === undefined) return current;
  return current === undefined || candidate.bytes > current.bytes ? candidate : current;
}

/** How a state shows in the history: the events each library event stands for depend on it. */
type HistoryKind = 'lambda' | 'distributed-map' | 'map' | 'other';

/** Events per library event and kind: `[entered, retried, failed, exited, exited after a failure]`. */
const HISTORY_EVENTS: Readonly<Record<HistoryKind, readonly [number, number, number, number, number]>> = {
  // TaskStateEntered + (LambdaFunctionScheduled, Started, Succeeded|Failed|TimedOut) per attempt + TaskStateExited.
  lambda: [4, 3, 0, 1, 1],
  // MapStateEntered, MapStateStarted, MapRunStarted … MapRunSucceeded|Failed, MapStateSucceeded|Failed, MapStateExited.
  'distributed-map': [3, 2, 2, 3, 1],
  // MapStateEntered|ParallelStateEntered, …Started … …Succeeded|Failed, …Exited (iterations counted apart).
  map: [2, 1, 1, 2, 1],
  // PassStateEntered … PassStateExited (Choice, Wait, Succeed alike); a Fail state is only entered.
  other: [1, 0, 0, 1, 1],
};

/**
 * Counts an execution's history events from the library's event log, as AWS would record them:
 *
 * - ExecutionStarted 1, and ExecutionSucceeded / ExecutionFailed / ExecutionAborted (or
 *   ExecutionTimedOut) 1.
 * - A Lambda Task: TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted,
 *   LambdaFunctionSucceeded (or Failed / TimedOut), TaskStateExited: 5; each retry adds
 *   Scheduled, Started and Succeeded/Failed: 3 more. A Task whose error ends the execution has
 *   no TaskStateExited.
 * - Pass, Choice, Wait, Succeed: StateEntered and StateExited, 2; Fail: FailStateEntered, 1.
 * - An inline Map: MapStateEntered, MapStateStarted, per iteration MapIterationStarted and
 *   MapIterationSucceeded (or Failed) plus the iteration's own states' events,
 *   MapStateSucceeded (or Failed), MapStateExited; a retry adds MapStateStarted. A Parallel
 *   alike, without per-branch events.
 * - A Distributed Map: MapStateEntered, MapStateStarted, MapRunStarted, MapRunSucceeded (or
 *   Failed), MapStateSucceeded (or Failed), MapStateExited: 6; a retry adds MapStateStarted and
 *   MapRunStarted. Its children are executions of their own, with their own histories: they are
 *   not counted here (`largest_child_history` reports the largest).
 *
 * The library reports no event for a Task attempt still running when an execution is aborted
 * or for an aborted Map iteration: such counts are close, not exact.
 */
export class HistoryCounter {
  private count = 0;
  /** States (by iteration index and name) whose last event was a failure not yet retried. */
  private readonly failing = new Set<string>();

  constructor(private readonly distributedMaps: ReadonlySet<string>) {}

  /** The events counted so far. */
  get events(): number {
    return this.count;
  }

  /** Counts one library event. */
  observe(event: LibraryEvent): void {
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.count += 1;
        return;
      case 'StateEntered':
      case 'StateRetried':
      case 'StateFailed':
      case 'StateExited':
        this.count += this.stateEvents(event.type, `${event.index ?? ''}:${event.state.name}`, this.kindOf(event.state));
        return;
      default:
        // StateCaught and Parallel branch events add nothing to an AWS history.
        return;
    }
  }

  private stateEvents(type: 'StateEntered' | 'StateRetried' | 'StateFailed' | 'StateExited', key: string, kind: HistoryKind): number {
    const [entered, retried, failed, exited, exitedAfterFailure] = HISTORY_EVENTS[kind];
    if (type === 'StateEntered') return entered;
    if (type === 'StateFailed') {
      this.failing.add(key);
      return failed;
    }
    const wasFailing = this.failing.delete(key);
    if (type === 'StateRetried') return retried;
    return wasFailing ? exitedAfterFailure : exited;
  }

  private kindOf(state: { readonly name: string; readonly type: string }): HistoryKind {
    if (state.type === 'Task') return this.distributedMaps.has(state.name) ? 'distributed-map' : 'lambda';
    return state.type === 'Map' || state.type === 'Parallel' ? 'map' : 'other';
  }
}

/** Collects a run's `stats`: its history, its largest payloads and its children's. */
export class StatsRecorder {
  private readonly history: HistoryCounter;
  private largestState: PayloadSize | undefined;
  private largestTask: PayloadSize | undefined;
  private children = 0;
  private largestChildHistory = 0;

  constructor(distributedMaps: ReadonlySet<string>) {
    this.history = new HistoryCounter(distributedMaps);
  }

  /** Counts a library event and returns the state input or output it carries (`undefined` if none). */
  observe(event: LibraryEvent): MeasuredPayload | undefined {
    this.history.observe(event);
    if (event.type !== 'StateEntered' && event.type !== 'StateExited') return undefined;
    const kind: PayloadKind = event.type === 'StateEntered' ? 'input' : 'output';
    const bytes = jsonBytes(kind === 'input' ? event.state.input : event.state.output);
    this.largestState = larger(this.largestState, { state: event.state.name, bytes });
    return { state: event.state.name, bytes, kind };
  }

  /** Records a Lambda Task's request or response. */
  task(payload: MeasuredPayload): void {
    this.largestTask = larger(this.largestTask, { state: payload.state, bytes: payload.bytes });
  }

  /** Adds a child execution (of a Distributed Map) and its own children. */
  child(stats: LocalRunStats): void {
    this.children += 1 + stats.child_executions;
    this.largestChildHistory = Math.max(this.largestChildHistory, stats.history_events, stats.largest_child_history);
    this.largestState = larger(this.largestState, stats.largest_state_payload);
    this.largestTask = larger(this.largestTask, stats.largest_task_payload);
  }

  /** The stats so far. */
  stats(): LocalRunStats {
    return {
      history_events: this.history.events,
      largest_state_payload: this.largestState,
      largest_task_payload: this.largestTask,
      child_executions: this.children,
      largest_child_history: this.largestChildHistory,
    };
  }
}

/** The stats of an execution that never started. */
export function emptyStats(): LocalRunStats {
  return new StatsRecorder(new Set()).stats();
}
