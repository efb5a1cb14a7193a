import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalLambdaContext } from '@ledgerlake/state-machine';
import type { LakeBuckets } from '@ledgerlake/storage';
import type { LocalWiring } from './local-lake';

/** What a worker is started with: the lake folder, its buckets and the wiring that can cross threads. */
export interface MapWorkerData {
  readonly root: string;
  readonly buckets: LakeBuckets;
  readonly wiring: Pick<LocalWiring, 'thresholds' | 'validation' | 'enrichment'>;
}

/** One Map iteration's Task for a worker. */
export interface MapJob {
  readonly id: number;
  readonly functionName: string;
  readonly event: unknown;
  readonly context: {
    readonly fields: Omit<LocalLambdaContext, 'getRemainingTimeInMillis' | 'callbackWaitsForEmptyEventLoop'>;
    readonly remainingMs: number;
  };
}

/** A worker's answer: the result or the error (its name kept, for Retry and Catch), and the job's log lines. */
export interface MapJobReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly stack: string; readonly retryable: boolean };
  readonly lines: string[];
}

/** The worker's entry: the bundle's own (`ledgerlake` runs as a bundle: bundle.js), else the sources' (tests). */
const ENTRY = join(__dirname, __filename.endsWith('.mjs') ? 'map-worker-entry.mjs' : 'map-worker-entry.js');

interface QueuedJob {
  readonly job: MapJob;
  readonly sink: (line: string) => void;
  readonly done: (reply: MapJobReply) => void;
}

/** An error rebuilt from a worker's reply: same name, message and `retryable`, as the runner matches them. */
class MapTaskError extends Error {
  readonly retryable: boolean;
  constructor(reply: NonNullable<MapJobReply['error']>) {
    super(reply.message);
    this.name = reply.name;
    this.retryable = reply.retryable;
    this.stack = reply.stack;
  }
}

/**
 * The local stand-in for Step Functions running Map iterations in parallel Lambda invocations:
 * `size` worker threads (started on first use), each running the functions' own handlers over the
 * lake folder; jobs queue until a worker is free. The log lines of each job go to the run's sink.
 */
export class MapWorkerPool {
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: QueuedJob[] = [];
  readonly #pending = new Map<number, { sink: (line: string) => void; done: (reply: MapJobReply) => void }>();
  #nextId = 0;
  #failure: Error | undefined;
  #closed = false;

  constructor(
    private readonly data: MapWorkerData,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`cli: worker count must be a positive integer, got ${size}`);
  }

  /** Runs one Task of a Map iteration on a worker, as Lambda would run it. */
  async run(functionName: string, event: unknown, context: LocalLambdaContext, sink: (line: string) => void): Promise<unknown> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new Error('cli: the Map worker pool is closed');
    const { getRemainingTimeInMillis, callbackWaitsForEmptyEventLoop: _wait, ...fields } = context;
    const job: MapJob = { id: this.#nextId++, functionName, event, context: { fields, remainingMs: getRemainingTimeInMillis() } };
    const reply = await new Promise<MapJobReply>((done) => {
      this.#queue.push({ job, sink, done });
      this.#dispatch();
    });
    if (reply.error !== undefined) throw new MapTaskError(reply.error);
    return reply.result;
  }

  /** Stops every worker at once; a job queued or running then fails (`cli: the Map worker pool was closed`). */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = { name: 'Error', message: 'cli: the Map worker pool was closed', stack: '', retryable: false };
    for (const queued of this.#queue.splice(0)) queued.done({ id: queued.job.id, error: closed, lines: [] });
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.done({ id, error: closed, lines: [] });
    }
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
    this.#workers.length = 0;
    this.#idle.length = 0;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#workers.length < this.size ? this.#start() : undefined);
      if (worker === undefined) return;
      const next = this.#queue.shift() as QueuedJob;
      this.#pending.set(next.job.id, { sink: next.sink, done: next.done });
      worker.postMessage(next.job);
    }
  }

  #start(): Worker {
    const worker = new Worker(ENTRY, { workerData: this.data });
    worker.on('message', (reply: MapJobReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      this.#idle.push(worker);
      reply.lines.forEach((line) => pending?.sink(line));
      pending?.done(reply);
      this.#dispatch();
    });
    worker.on('error', (error) => {
      // A worker that dies takes its job with it: fail everything still waiting, loudly.
      this.#failure = error;
      for (const [id, pending] of this.#pending) {
        this.#pending.delete(id);
        pending.done({ id, error: { name: error.name, message: `cli: a Map worker stopped: ${error.message}`, stack: error.stack ?? '', retryable: false }, lines: [] });
      }
    });
    this.#workers.push(worker);
    return worker;
  }
}
