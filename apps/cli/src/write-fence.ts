import { isStreamBody, type ObjectRef, type ObjectStore, type PutOptions } from '@ledgerlake/storage';

/** A write refused because the fence closed (the run was interrupted). */
export class FencedWriteError extends Error {
  override readonly name = 'FencedWriteError' as const;
}

/**
 * Keeps an interrupted run's functions from writing while the command cleans up after them. An
 * aborted execution starts no further state, but a handler already running in this thread cannot
 * be stopped: once `close()` resolves, every write through a store `wrap` gave (put, putStream,
 * copy, delete, the conditional puts) is refused with `FencedWriteError`, a stream being written
 * fails at its next chunk, and every write started before has settled. Reads are not fenced.
 */
export class WriteFence {
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed: FencedWriteError | undefined;

  /** `store` with its writes fenced. */
  wrap(store: ObjectStore): ObjectStore {
    return {
      head: (ref) => store.head(ref),
      getStream: (ref, range) => store.getStream(ref, range),
      getBytes: (ref) => store.getBytes(ref),
      list: (bucket, prefix, options) => store.list(bucket, prefix, options),
      put: (ref, body, options) => this.#write(ref, () => store.put(ref, body, options)),
      putStream: (ref, body, options?: PutOptions) => this.#write(ref, () => store.putStream(ref, this.#guarded(ref, body), options)),
      copy: (from, to) => this.#write(to, () => store.copy(from, to)),
      delete: (ref) => this.#write(ref, () => store.delete(ref)),
      putIfAbsent: (ref, body, options) => this.#write(ref, () => store.putIfAbsent(ref, isStreamBody(body) ? this.#guarded(ref, body) : body, options)),
      putIfMatch: (ref, body, etag, options) => this.#write(ref, () => store.putIfMatch(ref, body, etag, options)),
    };
  }

  /** Refuses every further write, then waits for the writes under way to settle (whatever their outcome). */
  async close(reason: string): Promise<void> {
    this.#closed ??= new FencedWriteError(`cli: ${reason}: the run may write nothing more`);
    await Promise.allSettled([...this.#inFlight]);
  }

  #refusal(ref: ObjectRef): FencedWriteError | undefined {
    return this.#closed === undefined ? undefined : new FencedWriteError(`${this.#closed.message} (${ref.bucket}/${ref.key})`);
  }

  #write<T>(ref: ObjectRef, start: () => Promise<T>): Promise<T> {
    const refused = this.#refusal(ref);
    if (refused !== undefined) return Promise.reject(refused);
    const write = start();
    this.#inFlight.add(write);
    void write.then(
      () => this.#inFlight.delete(write),
      () => this.#inFlight.delete(write),
    );
    return write;
  }

  async *#guarded(ref: ObjectRef, body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      const refused = this.#refusal(ref);
      if (refused !== undefined) throw refused;
      yield chunk;
    }
  }
}
