import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type DatasetRegistry, DEFAULT_QUALITY_POLICY, type GateLimits, type RunBlockedEvent } from '@ledgerlake/domain';
import { createHandler as createEnrichmentHandler, type EnrichmentOptions } from '@ledgerlake/enrichment';
import { createHandler as createLoopPreventionHandler, type LoopPreventionSettings } from '@ledgerlake/loop-prevention';
import { createObservability, type LambdaContext, type LineSink, type Observability } from '@ledgerlake/observability';
import { createHandler as createPartitionWriterHandler } from '@ledgerlake/partition-writer';
import { LakeCatalog, type PartitionCatalog } from '@ledgerlake/lake';
import { type LivenessProbe, LOCAL_LIVENESS, localHolder } from '@ledgerlake/ledgers';
import { type Compressor } from '@ledgerlake/parquet';
import { createHandler as createPromotionHandler, DuckDbGoldEngine, type GoldEngine } from '@ledgerlake/promotion';
import { createHandler as createRunRecorderHandler, type Span } from '@ledgerlake/run-recorder';
import {
  type AslDefinition,
  loadDefinition,
  type LocalHandler,
  type LocalLambdaContext,
  type LocalObjectPort,
  taskFunctions,
} from '@ledgerlake/state-machine';
import { FS_TMP_DIR, FsObjectStore, type ObjectRef, type ObjectStore } from '@ledgerlake/storage';
import { createHandler as createValidationHandler, type ValidationSettings } from '@ledgerlake/validation';
import { snappyCompressor } from 'hysnappy';
import type { LocalLake } from './lake-folder';
import type { MapWorkerPool } from './map-workers';

/**
 * Chunk size on a laptop: 16 MiB (about 250k rows), so that a file of a million rows already
 * keeps every core busy; the cloud's default (64 MiB) suits Lambda invocations better.
 */
const LOCAL_CHUNK_BYTES = 16 * 1024 * 1024;

/** The placeholders of the definition as the local lake fills them: functions are `ledgerlake-local-<fn>`. */
export const LOCAL_DEFINITION_PARAMS = { region: 'local', accountId: '000000000000', stage: 'local' } as const;

const FUNCTION_PREFIX = `ledgerlake-${LOCAL_DEFINITION_PARAMS.stage}-`;

/** What `LocalWiring.storeFor` is asked for the command's own reads and writes (no function has this name). */
export const COMMAND_STORE = 'ledgerlake';

/** What `LocalWiring.storeFor` is asked for the state machine's own S3 accesses (Distributed Map items and results). */
export const STATE_MACHINE_STORE = 'state-machine';

/**
 * How a command wires its runs; the defaults are the real ones. Tests use it to inject faults and
 * to skip the definition's retry backoff.
 */
export interface LocalWiring {
  /**
   * The store one function (short name, e.g. `validation`, `run-recorder`, `alert-consumer`) uses, or
   * the command itself (`COMMAND_STORE`: landing files in Bronze, writing run logs, cleaning up after
   * an interrupted run) or the state machine (`STATE_MACHINE_STORE`: its Distributed Maps' item
   * manifests and result files); default the lake's own store.
   */
  readonly storeFor?: (functionName: string, lakeStore: ObjectStore) => ObjectStore;
  /** Milliseconds before each Task retry instead of the definition's backoff (tests pass 0). */
  readonly retryIntervalMs?: number;
  /** The promotion gate's limits; default the domain's quality policy (docs/contract/publishing.md, "Promotion gate"). */
  readonly thresholds?: GateLimits;
  /** Validation's row rules and circuit breaker limits; default the domain's (docs/contract/rules.md). */
  readonly validation?: ValidationSettings;
  /** Where a blocked run's event goes (the cloud publishes it to SNS `etl-failures`); default nowhere. */
  readonly publish?: (event: RunBlockedEvent) => Promise<void>;
  /** Enrichment's tunables (chunk size, rows per part); default the function's, with 16 MiB chunks. */
  readonly enrichment?: Partial<EnrichmentOptions>;
  /** Worker threads for Map iterations (0: in-process); default one per core. */
  readonly workers?: number;
  /** Loop prevention's attempt limit and claim timeout; default those of docs/contract/rules.md, "Attempt limit" (CLAIM_TIMEOUT_MINUTES, MAX_ATTEMPTS). */
  readonly loopPrevention?: Partial<LoopPreventionSettings>;
  /**
   * Which holders of claims and pending promotions are dead; default: those of this machine whose
   * process is gone. Tests that crash a run inside this process say its holder is dead.
   */
  readonly liveness?: LivenessProbe;
  /**
   * The functions' clock (claims, leases, the breaker window, records); default the system's. A
   * test moves it on to play a run minutes long. With a clock given, Map iterations run in-process.
   */
  readonly now?: () => Date;
  /**
   * The engine promotion builds Gold with, over promotion's store; default DuckDB in-process over
   * the lake (`localGoldEngine`). The cloud's is Athena: the deploy checks pass `AthenaGoldEngine`.
   */
  readonly gold?: (store: ObjectStore) => GoldEngine;
  /**
   * The catalog promotion registers published partitions in; default the lake's own (`catalog/`,
   * which `ledgerlake query` reads). The cloud's is Glue: the deploy checks pass one in memory.
   */
  readonly catalog?: PartitionCatalog;
  /** The run's states so far with their times, for its report (`runBronzeObject` records them); default none. */
  readonly timeline?: () => readonly Span[];
  /** The datasets a run may name (`DatasetSpec`s by path); default the shipped ones (`DATASETS`). */
  readonly datasets?: DatasetRegistry;
}

/** The row-pipeline definition as the local lake runs it. */
export function localDefinition(): AslDefinition {
  return loadDefinition(LOCAL_DEFINITION_PARAMS);
}

type HandlerFactory = (lake: LocalLake, obs: Observability, wiring: LocalWiring) => LocalHandler;

/**
 * DuckDB's memory limit for a Gold build (docs/gold.md): past it DuckDB spills to the lake's
 * `.tmp/gold-…` folders, so Gold's memory stays flat however many accounts and months the lake holds.
 */
export const LOCAL_GOLD_MEMORY_LIMIT = '128MB';

/**
 * Gold as the laptop builds it: the Gold SQL in an in-process DuckDB, reading the lake's files in
 * place — or, when a wrapper stands between the function and the lake (faults, fences), through
 * the store like every other read.
 */
export function localGoldEngine(lake: LocalLake, store: ObjectStore = lake.store): GoldEngine {
  return new DuckDbGoldEngine({
    store,
    ...(store instanceof FsObjectStore ? { localPath: (ref: ObjectRef) => store.pathOf(ref) } : {}),
    // `.tmp/gold-*`: what a killed build leaves is removed with the store's other stale temporary files.
    workDir: join(lake.root, FS_TMP_DIR),
    memoryLimit: LOCAL_GOLD_MEMORY_LIMIT,
    threads: availableParallelism(),
  });
}

/**
 * Gold's engine, the catalog and the gate's limits of a promotion over `lake` (promotion's view of it), as `wiring` says:
 * every local promotion (a run's, `promote`, `recover`) takes them from here.
 */
export function promotionBackends(lake: LocalLake, wiring: LocalWiring = {}): { gold: GoldEngine; catalog: PartitionCatalog; thresholds: GateLimits } {
  return {
    gold: wiring.gold?.(lake.store) ?? localGoldEngine(lake),
    catalog: wiring.catalog ?? new LakeCatalog(lake.store, lake.layout),
    thresholds: wiring.thresholds ?? DEFAULT_QUALITY_POLICY.gate,
  };
}

let compressor: Compressor | undefined;
/** hysnappy's WASM compressor, created once per process. */
export function sharedCompressor(): Compressor {
  compressor ??= snappyCompressor();
  return compressor;
}

/** Each function of the row pipeline, by its short name (`ledgerlake-<stage>-<name>`), as its app builds it. */
const FUNCTIONS: Readonly<Record<string, HandlerFactory>> = {
  enrichment: ({ store, layout }, obs, wiring) =>
    asLocalHandler(
      createEnrichmentHandler({ store, layout, obs, options: { chunkBytes: LOCAL_CHUNK_BYTES, ...wiring.enrichment }, datasets: wiring.datasets }),
    ),
  'loop-prevention': ({ store, layout }, obs, wiring) =>
    asLocalHandler(
      createLoopPreventionHandler({
        store,
        layout,
        obs,
        ...(wiring.loopPrevention === undefined ? {} : { settings: wiring.loopPrevention }),
        now: wiring.now,
        // A claim made here is held by this process: once it is gone, the next run takes it over at once.
        holder: localHolder,
        liveness: wiring.liveness ?? LOCAL_LIVENESS,
        datasets: wiring.datasets,
      }),
    ),
  validation: ({ store, layout }, obs, wiring) =>
    asLocalHandler(
      createValidationHandler({
        store,
        layout,
        obs,
        ...(wiring.validation === undefined ? {} : { settings: wiring.validation }),
        now: wiring.now,
        datasets: wiring.datasets,
      }),
    ),
  'partition-writer': ({ store, layout }, obs, wiring) =>
    asLocalHandler(
      createPartitionWriterHandler({
        store,
        layout,
        obs,
        compressor: sharedCompressor(),
        now: wiring.now,
        datasets: wiring.datasets,
      }),
    ),
  'run-recorder': (lake, obs, wiring) =>
    asLocalHandler(
      createRunRecorderHandler({
        store: lake.store,
        layout: lake.layout,
        obs,
        now: wiring.now,
        // The run's report: where it ran, its timeline (the runner's state events), the command that shows its log.
        where: `local lake ${lake.root}`,
        timeline: async () => wiring.timeline?.() ?? [],
        logsCommand: (runId) => `ledgerlake logs ${runId} --lake ${lake.root}`,
        datasets: wiring.datasets,
      }),
    ),
  promotion: (lake, obs, wiring) =>
    asLocalHandler(
      createPromotionHandler({
        store: lake.store,
        layout: lake.layout,
        // By default the lake's own catalog stands in for Glue: `ledgerlake query` reads it.
        ...promotionBackends(lake, wiring),
        publish: wiring.publish ?? (() => Promise.resolve()),
        obs,
        compressor: sharedCompressor(),
        // A promotion begun here is held by this process: once it is gone, any later run completes it.
        holder: localHolder,
        liveness: wiring.liveness ?? LOCAL_LIVENESS,
        now: wiring.now,
        datasets: wiring.datasets,
      }),
    ),
};

/** The lake as `who` (a function's short name, or `COMMAND_STORE`) reaches it: its store is `wiring.storeFor`'s, if any. */
export function lakeFor(who: string, lake: LocalLake, wiring: LocalWiring = {}): LocalLake {
  const store = wiring.storeFor?.(who, lake.store);
  return store === undefined ? lake : { ...lake, store };
}

/** One function's handler (short name, e.g. `validation`) over a lake, its Powertools output going to `sink`. */
export function createFunctionHandler(short: string, lake: LocalLake, sink: LineSink, wiring: LocalWiring = {}): LocalHandler {
  const factory = FUNCTIONS[short];
  if (factory === undefined) throw new Error(`cli: the state machine names function ${short}, which the local lake does not have`);
  return factory(lakeFor(short, lake, wiring), createObservability({ serviceName: short, dataset: lake.layout.dataset.path, sink }), wiring);
}

/** The handlers of a run: its own Tasks', and those of a Distributed Map's children (by the Map's item count). */
export interface RunHandlers {
  readonly handlers: Record<string, LocalHandler>;
  readonly childHandlers: (itemCount: number) => Readonly<Record<string, LocalHandler>>;
}

/**
 * One handler per Task function of the definition, each the app's own `createHandler` with its own
 * Powertools (`serviceName` = the function's short name) writing every log line and EMF record to
 * `sink` instead of stdout; `wiring.storeFor` may give one function another store. Built per run,
 * so that a run's sink gets exactly that run's lines. With `workers`, the child executions of a
 * Distributed Map with more than one item run their Tasks on those worker threads (as parallel
 * Lambda invocations would).
 */
export function createRunHandlers(
  lake: LocalLake,
  definition: AslDefinition,
  sink: LineSink,
  wiring: LocalWiring = {},
  workers?: () => MapWorkerPool,
): RunHandlers {
  const handlers: Record<string, LocalHandler> = {};
  const onWorkers: Record<string, LocalHandler> = {};
  const emit = (line: string): void => void (typeof sink === 'function' ? sink(line) : sink.write(line));
  for (const functionName of new Set(Object.values(taskFunctions(definition)))) {
    const short = functionName.startsWith(FUNCTION_PREFIX) ? functionName.slice(FUNCTION_PREFIX.length) : functionName;
    handlers[functionName] = createFunctionHandler(short, lake, sink, wiring);
    onWorkers[functionName] = (event, context) => (workers as () => MapWorkerPool)().run(short, event, context, emit);
  }
  return { handlers, childHandlers: (itemCount) => (workers !== undefined && itemCount > 1 ? onWorkers : handlers) };
}

/**
 * The S3 the state machine itself reads and writes — a Distributed Map's `ItemReader` manifests and
 * `ResultWriter` results — over the lake's store (as `STATE_MACHINE_STORE` reaches it, so that an
 * access recording sees the state machine role's own accesses).
 */
export function stateMachineObjects(lake: LocalLake, wiring: LocalWiring = {}): LocalObjectPort {
  const { store } = lakeFor(STATE_MACHINE_STORE, lake, wiring);
  return {
    get: (bucket, key) => store.getBytes({ bucket, key }),
    put: async (bucket, key, body) => {
      await store.put({ bucket, key }, body, { contentType: 'application/json' });
    },
  };
}

/**
 * Worker threads for Map iterations: `wiring.workers`, default one per core; none when a test
 * injects stores or a clock (neither crosses threads) or the lake's store is not its folder (the
 * workers reopen the folder).
 */
export function mapWorkerCount(lake: LocalLake, wiring: LocalWiring = {}): number {
  if (wiring.storeFor !== undefined || wiring.now !== undefined || !(lake.store instanceof FsObjectStore)) return 0;
  return wiring.workers ?? availableParallelism();
}

/** The runner's Lambda-like context lacks the legacy callback methods the middy chain's type declares. */
function asLocalHandler(handler: (event: unknown, context: LambdaContext) => Promise<unknown>): LocalHandler {
  return (event: unknown, context: LocalLambdaContext) =>
    handler(event, { ...context, done: () => undefined, fail: () => undefined, succeed: () => undefined });
}
