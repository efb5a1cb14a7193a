import { isUtf8 } from 'node:buffer';

const LF = 0x0a;

/** Where the first invalid UTF-8 sequence of a stream is. */
export interface Utf8Problem {
  /** Byte offset of the invalid sequence in the (decompressed) content. */
  readonly offset: number;
  /** 1-based line it is on. */
  readonly line: number;
}

/** Length of the UTF-8 sequence a lead byte starts (0 for a continuation or invalid byte). */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** How many bytes at the end of `chunk` start a sequence that the next chunk may complete. */
function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= 3 && back <= chunk.length; back++) {
    const byte = chunk[chunk.length - back] as number;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
}

/** Offset of the first byte of `bytes` that does not start a valid sequence (slow; for the error path). */
function firstInvalid(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const length = sequenceLength(bytes[at] as number);
    if (length === 0 || !isUtf8(bytes.subarray(at, at + length))) return at;
    at += length;
  }
  return bytes.length;
}

function countLf(bytes: Buffer, end = bytes.length): number {
  let n = 0;
  for (let at = bytes.indexOf(LF); at !== -1 && at < end; at = bytes.indexOf(LF, at + 1)) n++;
  return n;
}

/**
 * Checks that a stream of chunks is valid UTF-8, across chunk boundaries, with the native
 * validator; on the first problem it says where (byte offset and line).
 */
export class Utf8Check {
  #carry: Buffer = Buffer.alloc(0);
  #offset = 0;
  #lines = 0;

  /** Checks the next chunk; returns the problem, or undefined when the bytes so far are valid. */
  check(chunk: Buffer): Utf8Problem | undefined {
    const bytes = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    const keep = incompleteTail(bytes);
    const whole = bytes.subarray(0, bytes.length - keep);
    if (!isUtf8(whole)) return this.#problem(whole);
    this.#lines += countLf(whole);
    this.#offset += whole.length;
    this.#carry = Buffer.from(bytes.subarray(bytes.length - keep));
    return undefined;
  }

  /** Checks that the stream did not end inside a sequence. */
  end(): Utf8Problem | undefined {
    return this.#carry.length === 0 ? undefined : this.#problem(this.#carry);
  }

  #problem(bytes: Buffer): Utf8Problem {
    const at = firstInvalid(bytes);
    return { offset: this.#offset + at, line: this.#lines + countLf(bytes, at) + 1 };
  }
}
