import type { Readable } from 'node:stream';
import { StorageError } from '@ledgerlake/domain';
import { isStreamBody } from '@ledgerlake/storage';
import type {
  ByteRange,
  ListOptions,
  ListPage,
  ObjectBody,
  ObjectMeta,
  ObjectRef,
  ObjectStore,
  PutOptions,
  PutResult,
} from '@ledgerlake/storage';

/** The operations of the ObjectStore port. */
export type StoreOperation =
  | 'head'
  | 'getStream'
  | 'getBytes'
  | 'put'
  | 'putStream'
  | 'list'
  | 'copy'
  | 'delete'
  | 'putIfAbsent'
  | 'putIfMatch';

/** The operations that change the store. */
export const MUTATIONS: ReadonlySet<StoreOperation> = new Set(['put', 'putStream', 'copy', 'delete', 'putIfAbsent', 'putIfMatch']);

/** One call, as a fault rule sees it. */
export interface StoreCall {
  readonly op: StoreOperation;
  /** The bucket of the key. */
  readonly bucket: string;
  /** The key written or read (the destination of a copy; the prefix of a list). */
  readonly key: string;
  /** For a mutation: its 1-based number among all mutations through this wrapper (0 for reads). */
  readonly mutation: number;
}

/** What a rule decides for a call: nothing (it goes through), an error to throw, or a crash. */
export type FaultDecision = undefined | Error | 'crash';

/** Decides, per call, whether it fails. */
export type FaultRule = (call: StoreCall) => FaultDecision;

/** The process "died": thrown by this call and every later one, reads included. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  readonly retryable = false;
}

/**
 * A pure fault-injecting ObjectStore wrapper: every call is shown to `rule` first, which may fail
 * it (an error of its choosing, e.g. ENOSPC or EROFS as a `StorageError`) or crash the store —
 * from a crash on, every call fails, as if the process had died at that point: nothing after it
 * reaches the store. It also counts mutations, so a test can first count an uninterrupted run's
 * writes and then crash a run at each one of them.
 */
export class FaultInjectingStore implements ObjectStore {
  private count = 0;
  private crashedAt: StoreCall | undefined;

  /**
   * `before` (optional) is awaited before each call reaches the store, after the rule let it
   * through: tests use it to hold runs at a point until others catch up.
   */
  constructor(
    private readonly inner: ObjectStore,
    private readonly rule: FaultRule = () => undefined,
    private readonly before?: (call: StoreCall) => Promise<void>,
  ) {}

  /** Mutations seen so far (the crashing one included). */
  get mutations(): number {
    return this.count;
  }

  /** The call that crashed the store, if one did. */
  get crash(): StoreCall | undefined {
    return this.crashedAt;
  }

  private async gate(op: StoreOperation, bucket: string, key: string): Promise<void> {
    if (this.crashedAt !== undefined) throw new SimulatedCrash(`store: crashed earlier (at ${this.crashedAt.op} ${this.crashedAt.key})`);
    const mutation = MUTATIONS.has(op) ? ++this.count : 0;
    const call = { op, bucket, key, mutation };
    const decision = this.rule(call);
    if (decision === 'crash') {
      this.crashedAt = call;
      throw new SimulatedCrash(`store: crashed at ${op} ${key} (mutation ${mutation})`);
    }
    if (decision !== undefined) throw decision;
    await this.before?.(call);
  }

  async head(ref: ObjectRef): Promise<ObjectMeta | undefined> {
    await this.gate('head', ref.bucket, ref.key);
    return this.inner.head(ref);
  }

  async getStream(ref: ObjectRef, range?: ByteRange): Promise<Readable | undefined> {
    await this.gate('getStream', ref.bucket, ref.key);
    return this.inner.getStream(ref, range);
  }

  async getBytes(ref: ObjectRef): Promise<Uint8Array | undefined> {
    await this.gate('getBytes', ref.bucket, ref.key);
    return this.inner.getBytes(ref);
  }

  async put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    await this.gate('put', ref.bucket, ref.key);
    return this.inner.put(ref, body, options);
  }

  async putStream(ref: ObjectRef, body: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult> {
    try {
      await this.gate('putStream', ref.bucket, ref.key);
    } catch (error) {
      // The producer must not wait for a reader that will never come.
      await drain(body);
      throw error;
    }
    return this.inner.putStream(ref, body, options);
  }

  async list(bucket: string, prefix: string, options?: ListOptions): Promise<ListPage> {
    await this.gate('list', bucket, prefix);
    return this.inner.list(bucket, prefix, options);
  }

  async copy(from: ObjectRef, to: ObjectRef): Promise<PutResult> {
    await this.gate('copy', to.bucket, to.key);
    return this.inner.copy(from, to);
  }

  async delete(ref: ObjectRef): Promise<void> {
    await this.gate('delete', ref.bucket, ref.key);
    return this.inner.delete(ref);
  }

  async putIfAbsent(ref: ObjectRef, body: ObjectBody, options?: PutOptions): Promise<PutResult> {
    try {
      await this.gate('putIfAbsent', ref.bucket, ref.key);
    } catch (error) {
      if (isStreamBody(body)) await drain(body);
      throw error;
    }
    return this.inner.putIfAbsent(ref, body, options);
  }

  async putIfMatch(ref: ObjectRef, body: Uint8Array | string, etag: string, options?: PutOptions): Promise<PutResult> {
    await this.gate('putIfMatch', ref.bucket, ref.key);
    return this.inner.putIfMatch(ref, body, etag, options);
  }
}

async function drain(body: Readable | AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _chunk of body) {
      // discarded
    }
  } catch {
    // the producer's own failure: nothing to add
  }
}

/** Crashes the store at its `n`-th mutation. */
export function crashAtMutation(n: number): FaultRule {
  return (call) => (call.mutation === n ? 'crash' : undefined);
}

/** Crashes the store at the first mutation whose key matches. */
export function crashAtKey(pattern: RegExp, nth = 1): FaultRule {
  let seen = 0;
  return (call) => (call.mutation > 0 && pattern.test(call.key) && ++seen === nth ? 'crash' : undefined);
}

/** The error a full disk gives (what FsObjectStore reports for ENOSPC). */
export function diskFull(key: string): StorageError {
  return new StorageError(`storage: cannot write ${key}: ENOSPC: no space left on device`);
}
