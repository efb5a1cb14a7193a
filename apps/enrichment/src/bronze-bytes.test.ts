import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InvalidInputError, TransientStorageError } from '@ledgerlake/domain';
import { streamStoredBytes } from './bronze-bytes';

const FILE = 's3://bronze/x';
const CSV = Buffer.from('h1,h2\n1,2\n'.repeat(1000));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const chunked = (b: Buffer, size = 1000) => Readable.from((function* () {
  for (let at = 0; at < b.length; at += size) yield b.subarray(at, at + size);
})());

async function collect(stored: AsyncIterable<unknown>, key: string) {
  const out: Buffer[] = [];
  const summary = await streamStoredBytes(stored, key, FILE, (chunk) => {
    out.push(chunk);
  });
  return { text: Buffer.concat(out), summary };
}

describe('streamStoredBytes', () => {
  it('passes plain bytes through and hashes them', async () => {
    const { text, summary } = await collect(chunked(CSV), 'a.csv');
    expect(text.equals(CSV)).toBe(true);
    expect(summary).toEqual({ bytesRead: CSV.length, contentSha256: sha(CSV), gzip: false });
  });

  it('gunzips a .gz key and hashes the stored (compressed) bytes', async () => {
    const gz = gzipSync(CSV);
    const { text, summary } = await collect(chunked(gz, 100), 'a.csv.gz');
    expect(text.equals(CSV)).toBe(true);
    expect(summary).toEqual({ bytesRead: gz.length, contentSha256: sha(gz), gzip: true });
  });

  it('recognises gzip by its magic number whatever the key, even split after one byte', async () => {
    const gz = gzipSync(CSV);
    const stored = Readable.from([gz.subarray(0, 1), gz.subarray(1)]);
    const { text, summary } = await collect(stored, 'a.csv');
    expect(text.equals(CSV)).toBe(true);
    expect(summary.gzip).toBe(true);
  });

  it('reads an empty object', async () => {
    expect((await collect(Readable.from([]), 'a.csv')).summary).toEqual({ bytesRead: 0, contentSha256: sha(Buffer.alloc(0)), gzip: false });
  });

  it('turns a corrupt gzip stream into InvalidInputError naming the file', async () => {
    const gz = gzipSync(CSV);
    const truncated = gz.subarray(0, gz.length - 20);
    const run = collect(chunked(truncated), 'a.csv.gz');
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toThrow(/s3:\/\/bronze\/x is not a valid gzip stream/);
  });

  it('lets a storage error from the source propagate unchanged (still retryable)', async () => {
    for (const data of [CSV, gzipSync(CSV)]) {
      const failing = Readable.from((async function* () {
        yield data.subarray(0, 10);
        throw new TransientStorageError('storage: connection reset');
      })());
      const run = collect(failing, 'a.csv');
      await expect(run).rejects.toBeInstanceOf(TransientStorageError);
    }
  });

  it('releases the source when the consumer stops early', async () => {
    const source = chunked(CSV, 10);
    const stop = new Error('stop');
    await expect(streamStoredBytes(source, 'a.csv', FILE, () => { throw stop; })).rejects.toBe(stop);
    expect(source.destroyed).toBe(true);
  });
});
