import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidInputError } from '@ledgerlake/domain';

/** What reading the stored bytes of a Bronze object found. */
export interface StoredBytesSummary {
  /** Bytes as stored (compressed, if gzip). */
  readonly bytesRead: number;
  /** SHA-256 hex of the bytes as stored. */
  readonly contentSha256: string;
  /** Whether the bytes were gunzipped. */
  readonly gzip: boolean;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** Bigger than zlib's 16 KiB default: fewer, larger chunks for the CSV parser. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), 'utf8');
}

function isZlibError(err: unknown): err is Error & { code: string } {
  // Duck-typed: errors raised inside Node's internals may come from another realm (a test VM).
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Streams a Bronze object's content to `consume`, chunk by chunk, never holding the whole object:
 * hashes the stored bytes (SHA-256) on the way, and gunzips when the key ends `.gz` or the bytes
 * start with the gzip magic number. A corrupt gzip stream is an `InvalidInputError` naming `file`;
 * any other stream error (a storage failure) propagates unchanged, so a transient one stays retryable.
 */
export async function streamStoredBytes(
  stored: AsyncIterable<unknown>,
  key: string,
  file: string,
  consume: (chunk: Buffer, gzip: boolean) => void | Promise<void>,
): Promise<StoredBytesSummary> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  const iterator = stored[Symbol.asyncIterator]();
  const next = async (): Promise<Buffer | undefined> => {
    const result = await iterator.next();
    if (result.done) return undefined;
    const chunk = toBuffer(result.value);
    hash.update(chunk);
    bytesRead += chunk.length;
    return chunk;
  };

  // Read enough to see the magic number (a first chunk may in theory be a single byte).
  const head: Buffer[] = [];
  let headBytes = 0;
  let exhausted = false;
  while (headBytes < 2) {
    const chunk = await next();
    if (chunk === undefined) {
      exhausted = true;
      break;
    }
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  const gzip = key.endsWith('.gz') || (first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1);

  async function* storedChunks(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (exhausted) return;
      for (let chunk = await next(); chunk !== undefined; chunk = await next()) yield chunk;
      exhausted = true;
    } finally {
      // Stopped early (the header was rejected, a write failed): release the source stream.
      if (!exhausted) await iterator.return?.();
    }
  }

  if (!gzip) {
    for await (const chunk of storedChunks()) await consume(chunk, false);
  } else {
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    // Errors of either side surface in the iteration below; the callback only keeps Node quiet.
    pipeline(Readable.from(storedChunks(), { objectMode: false }), gunzip, () => undefined);
    try {
      for await (const chunk of gunzip) await consume(toBuffer(chunk), true);
    } catch (err) {
      if (isZlibError(err)) {
        throw new InvalidInputError(file, `is not a valid gzip stream (${err.code}: ${err.message})`, {}, { cause: err });
      }
      throw err;
    }
  }
  return { bytesRead, contentSha256: hash.digest('hex'), gzip };
}
