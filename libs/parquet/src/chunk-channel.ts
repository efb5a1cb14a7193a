import { InternalError } from '@ledgerlake/domain';
/**
 * A one-producer, one-consumer queue of byte chunks that is also an `AsyncIterable`: what bridges
 * a synchronous producer (hyparquet-writer, which has no stream API) to `ObjectStore.putStream`.
 * The producer pushes without waiting and calls `drained()` at its natural pauses (after each row
 * group), which is where backpressure applies.
 */
export class ChunkChannel implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private closed = false;
  private producerError: { error: unknown } | undefined;
  private consumerError: { error: unknown } | undefined;
  private wakeConsumer: (() => void) | undefined;
  private drainWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private iterating = false;

  /** Queues a chunk for the consumer. */
  push(chunk: Uint8Array): void {
    if (this.closed || this.producerError) throw new InternalError('chunk-channel: push after close');
    if (this.consumerError) throw this.consumerError.error;
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.wake();
  }

  /** No more chunks: the consumer's iteration ends once the queue is empty. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The producer failed: the consumer's iteration throws `error` (so an upload is aborted, not completed). */
  fail(error: unknown): void {
    if (this.closed || this.producerError) return;
    this.producerError = { error };
    this.queue.length = 0;
    this.head = 0;
    this.wake();
  }

  /** The consumer gave up (the upload failed): pending and later `drained()` calls reject with `error`. */
  abandon(error: unknown): void {
    if (this.consumerError) return;
    this.consumerError = { error };
    this.queue.length = 0;
    this.head = 0;
    for (const waiter of this.drainWaiters.splice(0)) waiter.reject(error);
  }

  /** Chunks queued and not yet taken by the consumer. */
  get pendingChunks(): number {
    return this.queue.length - this.head;
  }

  /** Resolves once the consumer has taken every queued chunk; rejects if the consumer gave up. */
  drained(): Promise<void> {
    if (this.consumerError) return Promise.reject(this.consumerError.error);
    if (this.pendingChunks === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.iterating) throw new InternalError('chunk-channel: only one consumer may iterate');
    this.iterating = true;
    try {
      for (;;) {
        if (this.producerError) throw this.producerError.error;
        if (this.head < this.queue.length) {
          const chunk = this.queue[this.head] as Uint8Array;
          this.queue[this.head++] = EMPTY;
          if (this.head === this.queue.length) {
            this.queue.length = 0;
            this.head = 0;
            for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
          }
          yield chunk;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.wakeConsumer = resolve;
        });
      }
    } finally {
      // An early `return()` (the consumer stopped reading) leaves nobody to drain the queue.
      if (!this.closed || this.pendingChunks > 0) {
        this.abandon(this.producerError?.error ?? new Error('chunk-channel: the consumer stopped reading'));
      }
    }
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}

const EMPTY = new Uint8Array(0);
