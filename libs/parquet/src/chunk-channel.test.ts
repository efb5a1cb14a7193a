import { ChunkChannel } from './chunk-channel';

async function collect(channel: ChunkChannel): Promise<number[]> {
  const seen: number[] = [];
  for await (const chunk of channel) seen.push(...chunk);
  return seen;
}

describe('ChunkChannel', () => {
  it('delivers pushed chunks in order and ends on close', async () => {
    const channel = new ChunkChannel();
    const consumed = collect(channel);

    channel.push(Uint8Array.of(1, 2));
    channel.push(new Uint8Array(0));
    channel.push(Uint8Array.of(3));
    channel.close();

    await expect(consumed).resolves.toEqual([1, 2, 3]);
  });

  it('resolves drained only once the consumer has taken every chunk', async () => {
    const channel = new ChunkChannel();
    channel.push(Uint8Array.of(1));
    let drained = false;
    const waiting = channel.drained().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);

    const iterator = channel[Symbol.asyncIterator]();
    await iterator.next();
    await waiting;

    expect(drained).toBe(true);
    expect(channel.pendingChunks).toBe(0);
  });

  it('makes the consumer fail when the producer fails', async () => {
    const channel = new ChunkChannel();
    const consumed = collect(channel);

    channel.push(Uint8Array.of(1));
    channel.fail(new Error('boom'));

    await expect(consumed).rejects.toThrow('boom');
  });

  it('rejects drained when the consumer abandons', async () => {
    const channel = new ChunkChannel();
    channel.push(Uint8Array.of(1));
    const waiting = channel.drained();

    channel.abandon(new Error('upload failed'));

    await expect(waiting).rejects.toThrow('upload failed');
    expect(() => channel.push(Uint8Array.of(2))).toThrow('upload failed');
  });

  it('treats a consumer that stops reading early as abandoning', async () => {
    const channel = new ChunkChannel();
    channel.push(Uint8Array.of(1));
    channel.push(Uint8Array.of(2));
    for await (const _chunk of channel) break;

    await expect(channel.drained()).rejects.toThrow('the consumer stopped reading');
  });

  it('allows only one consumer', async () => {
    const channel = new ChunkChannel();
    const first = channel[Symbol.asyncIterator]();
    void first.next();

    await expect(channel[Symbol.asyncIterator]().next()).rejects.toThrow('only one consumer');
    channel.close();
  });
});
