import rowPipelineAsl from './row-pipeline.asl.json';

/**
 * The row-pipeline definition as it lives in the repo (`row-pipeline.asl.json`) and as the runner
 * sees it once its placeholders are filled.
 *
 * Placeholders use the serverless-step-functions pseudo-parameter syntax `#{Name}`: on deploy the
 * plugin rewrites every `#{Name}` to `${Name}` and wraps the definition in `Fn::Sub`, so
 * `#{AWS::Region}` and `#{AWS::AccountId}` are CloudFormation pseudo parameters and `#{Stage}` a
 * template parameter the deploying stack declares. `${...}` is not used on purpose: Serverless would
 * try to resolve it as one of its own variables when the file is included with `${file(...)}`.
 */

/** One state of a definition: only the fields this library reads are typed. */
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
  readonly ItemProcessor?: AslStates;
  readonly Iterator?: AslStates;
  readonly Branches?: readonly AslStates[];
  readonly [field: string]: unknown;
}

/** A `Retry` entry. */
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** A `Catch` entry. */
export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath?: string;
  readonly Next: string;
}

/** A set of states: the top level, a Map's `ItemProcessor`, or a Parallel branch. */
export interface AslStates {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** A whole state machine definition (Amazon States Language, JSONPath). */
export interface AslDefinition extends AslStates {
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
}

/** Values for the definition's placeholders. */
export interface DefinitionParams {
  /** `#{AWS::Partition}`: `aws` unless given (`aws-cn`, `aws-us-gov`). */
  readonly partition?: string;
  /** `#{AWS::Region}`, e.g. `eu-west-1`. */
  readonly region: string;
  /** `#{AWS::AccountId}`: 12 digits. */
  readonly accountId: string;
  /** `#{Stage}`: the deploy stage in every function name, `ledgerlake-<stage>-<fn>`. */
  readonly stage: string;
}

const PLACEHOLDER = /#\{([^}]*)\}/g;
const TOKEN = /^[a-z0-9][a-z0-9-]*$/;
const ACCOUNT_ID = /^\d{12}$/;
/** A plain Lambda function ARN (optionally with a version or alias); the function name is group 1. */
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;

/** The row-pipeline definition exactly as stored, placeholders included (what the plugin deploys). */
export function rawDefinition(): AslDefinition {
  return JSON.parse(JSON.stringify(rowPipelineAsl)) as AslDefinition;
}

/** The row-pipeline definition with `#{AWS::Partition}`, `#{AWS::Region}`, `#{AWS::AccountId}` and `#{Stage}` filled in. */
export function loadDefinition(params: DefinitionParams): AslDefinition {
  return fillPlaceholders(rawDefinition(), params);
}

/** Fills the placeholders of any definition; an unknown `#{...}` or a malformed value throws. */
export function fillPlaceholders(definition: AslDefinition, params: DefinitionParams): AslDefinition {
  const { partition = 'aws', region, accountId, stage } = params;
  if (!/^aws(-[a-z]+)*$/.test(partition)) throw new RangeError(`state-machine: partition ${JSON.stringify(partition)} must be aws or aws-<name>`);
  if (!TOKEN.test(region)) throw new RangeError(`state-machine: region ${JSON.stringify(region)} must match ${TOKEN}`);
  if (!ACCOUNT_ID.test(accountId)) {
    throw new RangeError(`state-machine: accountId ${JSON.stringify(accountId)} must be 12 digits`);
  }
  if (!TOKEN.test(stage)) throw new RangeError(`state-machine: stage ${JSON.stringify(stage)} must match ${TOKEN}`);
  const values: Readonly<Record<string, string>> = { 'AWS::Partition': partition, 'AWS::Region': region, 'AWS::AccountId': accountId, Stage: stage };
  const fill = (text: string): string =>
    text.replace(PLACEHOLDER, (_match, name: string) => {
      const value = values[name];
      if (value === undefined) {
        throw new RangeError(
          `state-machine: unknown placeholder #{${name}} (known: ${Object.keys(values)
            .map((key) => `#{${key}}`)
            .join(', ')})`,
        );
      }
      return value;
    });
  return mapStrings(definition, fill) as AslDefinition;
}

/**
 * Every Task state of a definition, recursively through Map item processors and Parallel branches:
 * state name → Lambda function name (parsed from its plain-ARN `Resource`). The local runner binds
 * handlers by state name with it. Throws on a Task whose Resource is not a filled-in Lambda ARN and
 * on a state name used twice (local handlers are keyed by state name).
 */
export function taskFunctions(definition: AslStates): Readonly<Record<string, string>> {
  const found: Record<string, string> = {};
  collectTasks(definition, found, new Set());
  return found;
}

function collectTasks(states: AslStates, found: Record<string, string>, seen: Set<string>): void {
  for (const [name, state] of Object.entries(states.States)) {
    if (seen.has(name)) throw new Error(`state-machine: state name ${JSON.stringify(name)} is used twice`);
    seen.add(name);
    if (state.Type === 'Task') {
      const match = LAMBDA_ARN.exec(state.Resource ?? '');
      if (match === null) {
        throw new Error(
          `state-machine: Task ${name} has Resource ${JSON.stringify(state.Resource)}, expected a plain Lambda ARN ` +
            '(fill placeholders with loadDefinition first)',
        );
      }
      found[name] = match[1] as string;
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor !== undefined) collectTasks(processor, found, seen);
    for (const branch of state.Branches ?? []) collectTasks(branch, found, seen);
  }
}

function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, fn)]));
  }
  return value;
}

/** The states a state can go on to: `Next`, a Choice's `Choices[].Next` and `Default`, each `Catch[].Next`. */
function successors(state: AslState): string[] {
  const choices = Array.isArray(state['Choices']) ? (state['Choices'] as { Next?: unknown }[]).map((choice) => choice.Next) : [];
  return [state.Next, state['Default'], ...choices, ...(state.Catch ?? []).map((catcher) => catcher.Next)].filter(
    (name): name is string => typeof name === 'string',
  );
}

/**
 * The states of `states` from which a Map state can still be entered (a Map state itself
 * included): once an execution enters any other state, no Map iteration runs again, and whatever
 * serves Map iterations (the local runner's worker threads) may stop.
 */
export function statesBeforeLastMap(states: AslStates): ReadonlySet<string> {
  const reachesMap = (start: string): boolean => {
    const seen = new Set<string>();
    const queue = [start];
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      const state = states.States[name];
      if (state === undefined || seen.has(name)) continue;
      if (state.Type === 'Map') return true;
      seen.add(name);
      queue.push(...successors(state));
    }
    return false;
  };
  return new Set(Object.keys(states.States).filter(reachesMap));
}
