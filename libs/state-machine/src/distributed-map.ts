/**
 * Distributed Map states for the local runner. aws-local-stepfunctions 3.0.0 runs only inline
 * Maps (no ProcessorConfig, ItemReader, ResultWriter or tolerated failures), so before a
 * definition reaches it, every Map whose `ItemProcessor.ProcessorConfig.Mode` is `DISTRIBUTED`
 * (at any depth; one inside another Distributed Map's ItemProcessor is replaced by the child
 * executions that run it) becomes a Task with Resource `DISTRIBUTED_MAP_RESOURCE`, bound by its
 * state name to the handler `distributedMapHandler` builds.
 *
 * Emulated, as AWS does it:
 * - The Map's `InputPath`, `OutputPath`, `ResultSelector`, `ResultPath`, `Retry`, `Catch`,
 *   `Next`/`End` stay on the Task, so the library applies them. The Task's `Parameters` evaluate
 *   (with the library's own JSONPath) the effective input and every path field: `ItemsPath`,
 *   `ItemReader.Parameters`, `ItemReader.ReaderConfig.MaxItemsPath`, `ResultWriter.Parameters`,
 *   `MaxConcurrencyPath`, `ToleratedFailurePercentagePath`, `ToleratedFailureCountPath`.
 * - Items: from `ItemsPath` (default `$`) of the effective input, or from `ItemReader`
 *   `arn:aws:states:::s3:getObject` through the `objects` port: `ReaderConfig.InputType` `JSON`
 *   (a JSON array), `JSONL` (one JSON value per non-empty line), `CSV` (`CSVHeaderLocation`
 *   `FIRST_ROW` (default) or `GIVEN` with `CSVHeaders`; `CSVDelimiter` COMMA (default), PIPE,
 *   SEMICOLON, SPACE, TAB; quoted fields; each item an object of header → string value), and
 *   `MaxItems` / `MaxItemsPath` (the first N items; 0 = all). A missing object, an unreadable
 *   or non-array content, an unknown InputType, `MANIFEST`, or `arn:aws:states:::s3:listObjectsV2`
 *   fail the Map with `States.ItemReaderFailed` (catchable, retryable).
 * - `ItemSelector` (or the legacy `Parameters`) per item, with `$$.Map.Item.Index` and
 *   `$$.Map.Item.Value`, `$$.Execution` and `$$.StateMachine` of the parent: one library Pass
 *   state per Map state, run once per item. Without it, the child input is the item.
 * - Each item runs the `ItemProcessor` as a child execution of its own (`runLocally`): name a
 *   random UUID, ARN `arn:aws:states:<region>:<account>:execution:<stateMachine>/<Map>:<uuid>`,
 *   state machine `<stateMachine>/<Map>`. Its state events reach the parent's callbacks; its
 *   history, payloads and data limit are its own (reported in the parent's `stats`).
 * - `MaxConcurrency` / `MaxConcurrencyPath`: at most that many children at once; 0 or absent is
 *   AWS's own ceiling, 10,000.
 * - `ToleratedFailureCount(Path)` / `ToleratedFailurePercentage(Path)`: a FAILED or ABORTED
 *   child is a failure. None given tolerates none; once one given is exceeded (failures > count,
 *   or failures / items × 100 > percentage) no further child starts, the running ones are
 *   awaited, the results are written, and the Map fails with
 *   `States.ExceedToleratedFailureThreshold` (catchable).
 * - `ResultWriter` `arn:aws:states:::s3:putObject` with `Parameters {Bucket, Prefix}`: a map run
 *   `arn:aws:states:<region>:<account>:mapRun:<stateMachine>/<Map>:<uuid>` writes
 *   `<Prefix>/<uuid>/SUCCEEDED_0.json` and `FAILED_0.json` (FAILED and ABORTED children), each
 *   only when not empty, in item order, then `<Prefix>/<uuid>/manifest.json`; the Map's result
 *   is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`. Without a ResultWriter the result is
 *   the array of the children's outputs (a failed child's entry in place of its output, as
 *   Transformation NONE gives). A failed write fails the Map with `States.ResultWriterFailed`.
 * - The parent stopping (its signal, a terminal error, or its end) starts no further child and
 *   aborts the running ones; nothing is written then.
 *
 * Not emulated (refused before the run when it would matter):
 * - `ItemBatcher` (refused), `WriterConfig` other than `{Transformation: NONE, OutputType: JSON}`
 *   (refused), a ResultWriter without `putObject` (refused), ItemReader `listObjectsV2` and
 *   `MANIFEST` (`States.ItemReaderFailed` at run time), `ItemsPointer`, `VersionId`.
 * - `Label`: ARNs use the state name. `ExecutionType` EXPRESS and STANDARD children run alike.
 * - Redrive (`RedriveCount` is 0, `RedriveStatus` `NOT_REDRIVABLE`); `PENDING_0.json` is never
 *   written (every child that started has finished when results are written; items never
 *   started have no execution); result files are never split at AWS's 5 GB.
 * - A Distributed Map inside an inline Map iteration that the library aborts (a sibling
 *   iteration failed) cannot know it: its children run on until the parent execution ends.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState, AslStates } from './definition';
import { stateError } from './execution-stats';
import type { LocalHandler, LocalRunResult, RunLocallyOptions } from './local-runner';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
/** A local Task handler as the library calls it (keyed by state name). */
export type LibraryTaskHandler = TaskHandlers[string];
/** The library's JSON value type (not exported by name). */
export type JsonValue = Parameters<LibraryTaskHandler>[0];

/** The Resource of the Task a Distributed Map becomes (never called: its handler is local). */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';

/** The S3 objects Distributed Maps read (`ItemReader`) and write (`ResultWriter`), as the runner sees them. */
export interface LocalObjectPort {
  /** The object's bytes, or `undefined` when there is no such object. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  put(bucket: string, key: string, body: string): Promise<void>;
}

/** A definition whose Distributed Maps became Tasks, and those Maps (as they were) by state name. */
export interface EmulatedDefinition {
  readonly definition: AslDefinition;
  readonly distributedMaps: ReadonlyMap<string, AslState>;
}

/** What a Distributed Map's handler needs from the execution running it. */
export interface DistributedMapParent {
  /** The parent's options: handlers (or `childHandlers`), callbacks, retry interval and `objects` go on to the children. */
  readonly options: RunLocallyOptions;
  readonly stateMachineName: string;
  /** `arn:aws:states:<region>:<account>`: what the map run and child state machine ARNs start with. */
  readonly arnPrefix: string;
  /** `$$.Execution` and `$$.StateMachine` of the parent, for ItemSelector. */
  readonly context: { readonly Execution: Readonly<Record<string, string>>; readonly StateMachine: Readonly<Record<string, string>> };
  /** Aborted once the parent stops (aborted, a terminal error, or its end): no child starts, running ones abort. */
  readonly signal: AbortSignal;
  /** Runs one child execution (`runLocally`). */
  readonly runChild: (options: RunLocallyOptions) => Promise<LocalRunResult>;
  /** Told each child's result (the parent's stats add it). */
  readonly onChild: (result: LocalRunResult) => void;
  /** Told when a child could not even start (its `runLocally` threw): the parent run rejects with it. */
  readonly onFatal: (error: Error) => void;
}

const GET_OBJECT = 'arn:aws:states:::s3:getObject';
const PUT_OBJECT = 'arn:aws:states:::s3:putObject';
/** TimeoutSeconds of the Task a Distributed Map becomes: a Map has none, and the library's timer waits at most 2^31-1 ms. */
const NO_TIMEOUT_SECONDS = 2_147_483;
/** AWS's ceiling on concurrent child executions, what MaxConcurrency 0 (or none) means. */
const DEFAULT_MAX_CONCURRENCY = 10_000;
/** The Map fields the Task keeps, for the library to apply. */
const KEPT_FIELDS = ['InputPath', 'OutputPath', 'ResultSelector', 'ResultPath', 'Retry', 'Catch', 'Next', 'End'] as const;
/** Path fields the Task's Parameters evaluate, and the request key each lands at. */
const PATH_FIELDS = [
  ['MaxConcurrencyPath', 'max_concurrency'],
  ['ToleratedFailurePercentagePath', 'tolerated_failure_percentage'],
  ['ToleratedFailureCountPath', 'tolerated_failure_count'],
] as const;
const CSV_DELIMITERS: Readonly<Record<string, string>> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };
const RESULT_STATUSES = ['SUCCEEDED', 'FAILED', 'PENDING'] as const;

type Fields = Readonly<Record<string, unknown>>;

/** The ItemSelector machine and the child definition of each Distributed Map state (by identity). */
const itemSelectors = new WeakMap<AslState, StateMachine>();
const itemProcessors = new WeakMap<AslState, AslDefinition>();

/** The Task's request: the effective input and the evaluated path fields (keys as `requestTemplate` names them). */
interface MapRequest {
  readonly input: JsonValue;
  readonly items?: unknown;
  readonly reader?: unknown;
  readonly max_items?: unknown;
  readonly writer?: unknown;
  readonly max_concurrency?: unknown;
  readonly tolerated_failure_percentage?: unknown;
  readonly tolerated_failure_count?: unknown;
}

/** Failures a map run tolerates; neither given tolerates none. */
interface Tolerance {
  readonly count?: number;
  readonly percentage?: number;
}

/** One child execution that ran. */
interface ChildRecord {
  readonly name: string;
  readonly input: unknown;
  readonly startDate: string;
  readonly stopDate: string;
  readonly result: LocalRunResult;
}

/** An entry of a ResultWriter result file. */
type ResultEntry = Readonly<Record<string, unknown>> & { readonly Status: string };

/** Everything one run of a Distributed Map state works with. */
interface MapRun {
  readonly mapName: string;
  readonly state: AslState;
  readonly parent: DistributedMapParent;
  readonly request: MapRequest;
  readonly items: readonly unknown[];
}

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Whether a state is a Map whose ItemProcessor runs in DISTRIBUTED mode. */
export function isDistributedMap(state: AslState): boolean {
  return state.Type === 'Map' && fields(fields(state.ItemProcessor)?.['ProcessorConfig'])?.['Mode'] === 'DISTRIBUTED';
}

/** The definition the library runs: each Distributed Map outside another's ItemProcessor becomes a local Task. */
export function replaceDistributedMaps(definition: AslDefinition): EmulatedDefinition {
  const distributedMaps = new Map<string, AslState>();
  return { definition: replaceIn(definition, distributedMaps), distributedMaps };
}

function replaceIn<T extends AslStates>(states: T, found: Map<string, AslState>): T {
  const replaced = Object.entries(states.States).map(([name, state]) => [name, replaceState(name, state, found)] as const);
  return { ...states, States: Object.fromEntries(replaced) };
}

function replaceState(name: string, state: AslState, found: Map<string, AslState>): AslState {
  if (isDistributedMap(state)) {
    found.set(name, state);
    return asTask(state);
  }
  let result = state;
  if (state.ItemProcessor !== undefined) result = { ...result, ItemProcessor: replaceIn(state.ItemProcessor, found) };
  if (state.Iterator !== undefined) result = { ...result, Iterator: replaceIn(state.Iterator, found) };
  if (state.Branches !== undefined) result = { ...result, Branches: state.Branches.map((branch) => replaceIn(branch, found)) };
  return result;
}

function asTask(state: AslState): AslState {
  const kept = KEPT_FIELDS.filter((field) => state[field] !== undefined).map((field) => [field, state[field]] as const);
  return {
    Type: 'Task',
    Resource: DISTRIBUTED_MAP_RESOURCE,
    TimeoutSeconds: NO_TIMEOUT_SECONDS,
    Parameters: requestTemplate(state),
    ...Object.fromEntries(kept),
  };
}

/** The Task's Parameters: what the library evaluates into a `MapRequest`. */
function requestTemplate(state: AslState): Fields {
  const template: Record<string, unknown> = { 'input.$': '$' };
  const reader = fields(state['ItemReader']);
  if (reader === undefined) {
    template['items.$'] = typeof state['ItemsPath'] === 'string' ? state['ItemsPath'] : '$';
  } else {
    if (reader['Parameters'] !== undefined) template['reader'] = reader['Parameters'];
    const maxItemsPath = fields(reader['ReaderConfig'])?.['MaxItemsPath'];
    if (typeof maxItemsPath === 'string') template['max_items.$'] = maxItemsPath;
  }
  const writerParameters = fields(state['ResultWriter'])?.['Parameters'];
  if (writerParameters !== undefined) template['writer'] = writerParameters;
  for (const [field, key] of PATH_FIELDS) {
    if (typeof state[field] === 'string') template[`${key}.$`] = state[field];
  }
  return template;
}

/**
 * Refuses, before anything runs, a Distributed Map (at any depth) the runner cannot run as AWS
 * would: an ItemBatcher, a ResultWriter other than plain `s3:putObject` JSON, or S3 access
 * (ItemReader, ResultWriter) without an `objects` port.
 */
export function checkDistributedMaps(definition: AslStates, hasObjects: boolean): void {
  const visit = (states: AslStates): void => {
    for (const [name, state] of Object.entries(states.States)) {
      if (isDistributedMap(state)) checkDistributedMap(name, state, hasObjects);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) visit(processor);
      for (const branch of state.Branches ?? []) visit(branch);
    }
  };
  visit(definition);
}

function checkDistributedMap(name: string, state: AslState, hasObjects: boolean): void {
  if (state['ItemBatcher'] !== undefined) {
    throw new Error(`local-runner: Distributed Map ${name} has an ItemBatcher, which the local runner does not emulate`);
  }
  const writer = fields(state['ResultWriter']);
  if (writer !== undefined) checkResultWriter(name, writer);
  if (!hasObjects && (state['ItemReader'] !== undefined || writer !== undefined)) {
    const uses = state['ItemReader'] === undefined ? 'writes its results to S3 (ResultWriter)' : 'reads its items from S3 (ItemReader)';
    throw new Error(`local-runner: Distributed Map ${name} ${uses}, but runLocally was given no objects port`);
  }
}

function checkResultWriter(name: string, writer: Fields): void {
  if (writer['Resource'] !== PUT_OBJECT) {
    throw new Error(
      `local-runner: Distributed Map ${name} has ResultWriter Resource ${JSON.stringify(writer['Resource'])}, ` +
        `and only ${PUT_OBJECT} is emulated`,
    );
  }
  if (fields(writer['Parameters']) === undefined) {
    throw new Error(`local-runner: Distributed Map ${name} has a ResultWriter without Parameters {Bucket, Prefix}`);
  }
  const config = writer['WriterConfig'];
  const plain = fields(config);
  const isPlain = plain !== undefined && Object.keys(plain).length === 2 && plain['Transformation'] === 'NONE' && plain['OutputType'] === 'JSON';
  if (config !== undefined && !isPlain) {
    throw new Error(
      `local-runner: Distributed Map ${name} has ResultWriter WriterConfig ${JSON.stringify(config)}, ` +
        'and only {"Transformation":"NONE","OutputType":"JSON"} (or none) is emulated',
    );
  }
}

/**
 * The local handler of a Distributed Map state (the Task `replaceDistributedMaps` made of it):
 * reads its items, runs one child execution per item, applies MaxConcurrency and the tolerated
 * failures, and writes the results (module doc).
 */
export function distributedMapHandler(mapName: string, state: AslState, parent: DistributedMapParent): LibraryTaskHandler {
  const selector = itemSelector(state);
  const processor = itemProcessor(state);
  return async (request) => {
    const mapRequest = fields(request) as MapRequest | undefined;
    if (mapRequest === undefined) throw new Error(`local-runner: Distributed Map ${mapName} got no request object`);
    const items = await readItems(mapName, state, mapRequest, parent.options.objects);
    const run: MapRun = { mapName, state, parent, request: mapRequest, items };
    const { records, exceeded } = await runChildren(run, processor, selector);
    if (parent.signal.aborted) throw stateError('States.Aborted', `Distributed Map ${mapName} stopped with its execution.`);
    const output = state['ResultWriter'] === undefined ? records.map(childOutput(run)) : await writeResults(run, records);
    if (exceeded) throw stateError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    return output as JsonValue;
  };
}

/** The definition of the children: the same object every time, which the runner validates once. */
function itemProcessor(state: AslState): AslDefinition {
  let definition = itemProcessors.get(state);
  if (definition === undefined) {
    const processor = state.ItemProcessor as AslStates;
    definition = copyJson({ StartAt: processor.StartAt, States: processor.States });
    itemProcessors.set(state, definition);
  }
  return definition;
}

/** One small library state machine per Map state: a Pass whose Parameters is the ItemSelector. */
function itemSelector(state: AslState): StateMachine | undefined {
  const template = state['ItemSelector'] ?? state['Parameters'];
  if (template === undefined) return undefined;
  // Built once per Map state, not once per run of it; not validated (the tests check it: itemSelectorDefinition).
  let selector = itemSelectors.get(state);
  if (selector === undefined) {
    // A JSON copy: the library's payload templates only recurse into objects of its own realm.
    selector = new StateMachine(copyJson(itemSelectorDefinition(template)) as StateMachineDefinition, { validationOptions: { noValidate: true } });
    itemSelectors.set(state, selector);
  }
  return selector;
}

/** The one-Pass definition a Map's ItemSelector (or Parameters) is evaluated with. */
export function itemSelectorDefinition(template: unknown): AslDefinition {
  return { StartAt: 'ItemSelector', States: { ItemSelector: { Type: 'Pass', Parameters: template, End: true } } } as unknown as AslDefinition;
}

/** The input of item `index`'s child: the ItemSelector evaluated with `$$.Map.Item`, or the item itself. */
async function childInput(run: MapRun, selector: StateMachine | undefined, index: number): Promise<unknown> {
  const value = run.items[index];
  if (selector === undefined) return value;
  const context = { ...run.parent.context, Map: { Item: { Index: index, Value: value as JsonValue } } };
  try {
    return await selector.run(run.request.input, { context }).result;
  } catch (thrown) {
    const reason = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : thrown;
    const error = reason instanceof Error ? reason : new Error(String(reason));
    const terminal = (error as { isCatchable?: unknown }).isCatchable === false;
    throw stateError(error.name, `The ItemSelector of Distributed Map ${run.mapName} failed on item ${index}: ${error.message}`, terminal);
  }
}

// ---------------------------------------------------------------------------------------------
// Items

function readerFailed(mapName: string, problem: string): Error {
  return stateError('States.ItemReaderFailed', `Distributed Map ${mapName} could not read its items: ${problem}.`);
}

async function readItems(mapName: string, state: AslState, request: MapRequest, objects: LocalObjectPort | undefined): Promise<readonly unknown[]> {
  const reader = fields(state['ItemReader']);
  if (reader === undefined) {
    if (Array.isArray(request.items)) return request.items;
    const path = typeof state['ItemsPath'] === 'string' ? state['ItemsPath'] : '$';
    throw stateError('States.Runtime', `Distributed Map ${mapName} has ItemsPath ${path}, which does not point to an array.`, true);
  }
  const config = fields(reader['ReaderConfig']) ?? {};
  const items = await readObjectItems(mapName, reader, config, request, objects);
  const maxItems = request.max_items ?? config['MaxItems'] ?? 0;
  if (typeof maxItems !== 'number' || !Number.isInteger(maxItems) || maxItems < 0) {
    throw readerFailed(mapName, `MaxItems is ${JSON.stringify(maxItems)}, not an integer >= 0`);
  }
  return maxItems === 0 ? items : items.slice(0, maxItems);
}

async function readObjectItems(
  mapName: string,
  reader: Fields,
  config: Fields,
  request: MapRequest,
  objects: LocalObjectPort | undefined,
): Promise<readonly unknown[]> {
  const resource = reader['Resource'];
  if (resource !== GET_OBJECT) {
    throw readerFailed(mapName, `ItemReader Resource ${JSON.stringify(resource)} is not emulated locally (only ${GET_OBJECT} is)`);
  }
  const { Bucket: bucket, Key: key } = fields(request.reader) ?? {};
  if (typeof bucket !== 'string' || typeof key !== 'string') {
    throw readerFailed(mapName, 'the ItemReader Parameters give no Bucket and Key strings');
  }
  const where = `s3://${bucket}/${key}`;
  const inputType = config['InputType'];
  if (typeof inputType === 'string' && inputType.toUpperCase() === 'MANIFEST') {
    throw readerFailed(mapName, `InputType MANIFEST of ${where} is not emulated locally (only JSON, JSONL and CSV are)`);
  }
  if (inputType !== 'JSON' && inputType !== 'JSONL' && inputType !== 'CSV') {
    throw readerFailed(mapName, `${where} has InputType ${JSON.stringify(inputType)}, not one of JSON, JSONL and CSV`);
  }
  // The port is checked before the run (checkDistributedMaps).
  const body = await (objects as LocalObjectPort).get(bucket, key);
  if (body === undefined) throw readerFailed(mapName, `${where} does not exist`);
  const text = new TextDecoder().decode(body);
  if (inputType === 'JSON') return jsonItems(mapName, where, text);
  if (inputType === 'JSONL') return jsonLinesItems(mapName, where, text);
  return csvItems(mapName, where, text, config);
}

function jsonItems(mapName: string, where: string, text: string): readonly unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (thrown) {
    throw readerFailed(mapName, `${where} is not valid JSON (${(thrown as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw readerFailed(mapName, `${where} holds JSON that is not an array`);
  return parsed;
}

function jsonLinesItems(mapName: string, where: string, text: string): readonly unknown[] {
  const items: unknown[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch (thrown) {
      throw readerFailed(mapName, `line ${index + 1} of ${where} is not valid JSON (${(thrown as Error).message})`);
    }
  });
  return items;
}

function csvItems(mapName: string, where: string, text: string, config: Fields): readonly unknown[] {
  const location = config['CSVHeaderLocation'] ?? 'FIRST_ROW';
  const headers = config['CSVHeaders'];
  const delimiter = CSV_DELIMITERS[String(config['CSVDelimiter'] ?? 'COMMA')];
  if (location !== 'FIRST_ROW' && location !== 'GIVEN') {
    throw readerFailed(mapName, `${where} has CSVHeaderLocation ${JSON.stringify(location)}, not FIRST_ROW or GIVEN`);
  }
  if (location === 'GIVEN' && !(Array.isArray(headers) && headers.length > 0 && headers.every((header) => typeof header === 'string'))) {
    throw readerFailed(mapName, `${where} has CSVHeaderLocation GIVEN without CSVHeaders listing the column names`);
  }
  if (delimiter === undefined) {
    throw readerFailed(mapName, `${where} has CSVDelimiter ${JSON.stringify(config['CSVDelimiter'])}, not one of ${Object.keys(CSV_DELIMITERS).join(', ')}`);
  }
  try {
    return parseCsv<Record<string, string>>(text, {
      columns: location === 'FIRST_ROW' ? true : (headers as string[]),
      delimiter,
      bom: true,
      skip_empty_lines: true,
    });
  } catch (thrown) {
    throw readerFailed(mapName, `${where} is not valid CSV (${(thrown as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Children

function countSetting(run: MapRun, name: string, value: unknown): number | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) return value;
  throw stateError('States.Runtime', `Distributed Map ${run.mapName} has ${name} ${JSON.stringify(value)}, not an integer >= 0.`, true);
}

function percentageSetting(run: MapRun, name: string, value: unknown): number | undefined {
  if (value === undefined || (typeof value === 'number' && value >= 0 && value <= 100)) return value;
  throw stateError('States.Runtime', `Distributed Map ${run.mapName} has ${name} ${JSON.stringify(value)}, not a number from 0 to 100.`, true);
}

function maxConcurrency(run: MapRun): number {
  const limit = countSetting(run, 'MaxConcurrency', run.request.max_concurrency ?? run.state['MaxConcurrency']) ?? 0;
  return limit === 0 ? DEFAULT_MAX_CONCURRENCY : limit;
}

function tolerance(run: MapRun): Tolerance {
  const { state, request } = run;
  const count = countSetting(run, 'ToleratedFailureCount', request.tolerated_failure_count ?? state['ToleratedFailureCount']);
  const percentage = percentageSetting(
    run,
    'ToleratedFailurePercentage',
    request.tolerated_failure_percentage ?? state['ToleratedFailurePercentage'],
  );
  return { ...(count === undefined ? {} : { count }), ...(percentage === undefined ? {} : { percentage }) };
}

function exceeds(tolerated: Tolerance, failures: number, total: number): boolean {
  if (tolerated.count === undefined && tolerated.percentage === undefined) return failures > 0;
  const overCount = tolerated.count !== undefined && failures > tolerated.count;
  const overPercentage = tolerated.percentage !== undefined && (failures / total) * 100 > tolerated.percentage;
  return overCount || overPercentage;
}

/** Calls `task(0 … count-1)` in order, at most `limit` at once, starting none once `stopped()`. */
async function forEachLimited(count: number, limit: number, stopped: () => boolean, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && !stopped()) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/** Runs the children, item order kept in the records; stops starting them on a failure beyond tolerance. */
async function runChildren(
  run: MapRun,
  processor: AslDefinition,
  selector: StateMachine | undefined,
): Promise<{ readonly records: readonly ChildRecord[]; readonly exceeded: boolean }> {
  const { items, parent } = run;
  const concurrency = maxConcurrency(run);
  const tolerated = tolerance(run);
  const handlers = parent.options.childHandlers?.(items.length) ?? parent.options.handlers;
  const records: (ChildRecord | undefined)[] = new Array<ChildRecord | undefined>(items.length);
  let failures = 0;
  let exceeded = false;
  let error: Error | undefined;
  const stopped = (): boolean => exceeded || error !== undefined || parent.signal.aborted;
  await forEachLimited(items.length, concurrency, stopped, async (index) => {
    let record: ChildRecord;
    try {
      record = await runChild(run, processor, handlers, await childInput(run, selector, index));
    } catch (thrown) {
      error ??= thrown instanceof Error ? thrown : new Error(String(thrown));
      return;
    }
    records[index] = record;
    if (record.result.status !== 'SUCCEEDED') {
      failures += 1;
      exceeded ||= exceeds(tolerated, failures, items.length);
    }
  });
  if (error !== undefined) throw error;
  return { records: records.filter((record): record is ChildRecord => record !== undefined), exceeded };
}

async function runChild(
  run: MapRun,
  processor: AslDefinition,
  handlers: Readonly<Record<string, LocalHandler>>,
  input: unknown,
): Promise<ChildRecord> {
  const { parent, mapName } = run;
  const { options } = parent;
  const name = randomUUID();
  const startDate = new Date().toISOString();
  let result: LocalRunResult;
  try {
    result = await parent.runChild({
      definition: processor,
      handlers,
      input,
      executionName: name,
      stateMachineName: `${parent.stateMachineName}/${mapName}`,
      signal: parent.signal,
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
      ...(options.onStateEntered === undefined ? {} : { onStateEntered: options.onStateEntered }),
      ...(options.onStateExited === undefined ? {} : { onStateExited: options.onStateExited }),
      ...(options.onTask === undefined ? {} : { onTask: options.onTask }),
      ...(options.objects === undefined ? {} : { objects: options.objects }),
      ...(options.childHandlers === undefined ? {} : { childHandlers: options.childHandlers }),
    });
  } catch (thrown) {
    // Not a failed child: the child could not run at all (a handler missing, an invalid ItemProcessor).
    parent.onFatal(thrown instanceof Error ? thrown : new Error(String(thrown)));
    throw thrown;
  }
  parent.onChild(result);
  return { name, input, startDate, stopDate: new Date().toISOString(), result };
}

// ---------------------------------------------------------------------------------------------
// Results

function resultEntry(run: MapRun, record: ChildRecord): ResultEntry {
  const { result } = record;
  return {
    ExecutionArn: result.executionArn,
    Input: JSON.stringify(record.input ?? null),
    InputDetails: { Included: true },
    Name: record.name,
    ...(result.status === 'SUCCEEDED' ? { Output: JSON.stringify(result.output ?? null), OutputDetails: { Included: true } } : {}),
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: record.startDate,
    StateMachineArn: `${run.parent.arnPrefix}:stateMachine:${run.parent.stateMachineName}/${run.mapName}`,
    Status: result.status,
    StopDate: record.stopDate,
    ...(result.status === 'FAILED' ? { Error: result.error, Cause: result.cause } : {}),
  };
}

/** Without a ResultWriter: a child's output, or for a failed child its whole entry (as Transformation NONE returns it). */
function childOutput(run: MapRun): (record: ChildRecord) => unknown {
  return (record) => (record.result.status === 'SUCCEEDED' ? record.result.output : resultEntry(run, record));
}

function resultFile(status: string): (typeof RESULT_STATUSES)[number] {
  return status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
}

/** `Prefix` as the start of a key: none when empty, one `/` after it. */
function keyPrefix(prefix: string): string {
  if (prefix === '') return '';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

async function writeResults(run: MapRun, records: readonly ChildRecord[]): Promise<unknown> {
  const { mapName, parent } = run;
  const { Bucket: bucket, Prefix: prefix = '' } = fields(run.request.writer) ?? {};
  if (typeof bucket !== 'string' || bucket === '' || typeof prefix !== 'string') {
    throw stateError('States.ResultWriterFailed', `Distributed Map ${mapName} cannot write its results: the ResultWriter Parameters give no Bucket (and Prefix) strings.`);
  }
  const mapRunId = randomUUID();
  const mapRunArn = `${parent.arnPrefix}:mapRun:${parent.stateMachineName}/${mapName}:${mapRunId}`;
  const folder = `${keyPrefix(prefix)}${mapRunId}/`;
  const put = async (key: string, body: string): Promise<void> => {
    try {
      await (parent.options.objects as LocalObjectPort).put(bucket, key, body);
    } catch (thrown) {
      throw stateError('States.ResultWriterFailed', `Distributed Map ${mapName} could not write s3://${bucket}/${key}: ${(thrown as Error).message}`);
    }
  };
  const entries = records.map((record) => resultEntry(run, record));
  const resultFiles: Record<(typeof RESULT_STATUSES)[number], { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of RESULT_STATUSES) {
    const group = entries.filter((entry) => resultFile(entry.Status) === status);
    if (group.length === 0) continue;
    const key = `${folder}${status}_0.json`;
    const body = JSON.stringify(group);
    await put(key, body);
    resultFiles[status].push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
  }
  const manifestKey = `${folder}manifest.json`;
  await put(manifestKey, JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: resultFiles }));
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
}
