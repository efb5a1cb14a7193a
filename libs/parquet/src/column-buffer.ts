import { InternalError } from '@ledgerlake/domain';
import type { ParquetColumnSpec } from './parquet-schema';

/** A value of a buffered column: bigint for the 64-bit kinds, number for int32, string for text. */
export type ParquetValue = bigint | number | string | null;

/** The values of one column for one row group, as hyparquet-writer takes them (strings possibly as UTF-8 views). */
export type ColumnValues = BigInt64Array | Int32Array | (ParquetValue | Uint8Array)[];

const INITIAL_CAPACITY = 1024;

/**
 * Rows of a table held column by column until they are written as a row group. Non-null 64-bit
 * and 32-bit columns live in typed arrays (8 or 4 bytes a value instead of a heap object each);
 * strings that are not dictionary-encoded (mostly unique: hashes, raw fields, details) are kept
 * as UTF-8 bytes in one growing byte array, and handed over as views of it. So a buffer of a
 * million rows costs about 150 MB, not the 400+ MB of one string object per value (a substring
 * of a read line also pins the whole chunk of text it was cut from).
 */
export class ColumnBuffer {
  private readonly typed: (BigInt64Array | Int32Array | undefined)[];
  private readonly bytes: (Utf8Column | undefined)[];
  private readonly boxed: (ParquetValue[] | undefined)[];
  private capacity = INITIAL_CAPACITY;
  private count = 0;

  constructor(readonly columns: readonly ParquetColumnSpec[]) {
    this.typed = columns.map((column) => newTyped(column, INITIAL_CAPACITY));
    this.bytes = columns.map((column) => (storesBytes(column) ? new Utf8Column() : undefined));
    this.boxed = columns.map((_, c) => (this.typed[c] === undefined && this.bytes[c] === undefined ? [] : undefined));
  }

  /** Rows buffered. */
  get length(): number {
    return this.count;
  }

  /**
   * Appends one row; `values` is index-aligned with `columns`. A null in a REQUIRED column, or a
   * value of the wrong type for a typed column, is a bug in the caller and throws.
   */
  push(values: readonly ParquetValue[]): void {
    const { columns } = this;
    if (values.length !== columns.length) {
      throw new InternalError(`parquet: row has ${values.length} values for ${columns.length} columns`);
    }
    if (this.count === this.capacity) this.grow();
    const at = this.count;
    for (let c = 0; c < columns.length; c++) {
      const value = values[c] as ParquetValue;
      const typed = this.typed[c];
      if (typed !== undefined) {
        if (value === null) throw new InternalError(`parquet: column ${(columns[c] as ParquetColumnSpec).name} is not nullable`);
        (typed as { [i: number]: bigint | number })[at] = value as bigint | number;
        continue;
      }
      const bytes = this.bytes[c];
      if (bytes !== undefined) {
        if (value !== null && typeof value !== 'string') {
          throw new InternalError(`parquet: column ${(columns[c] as ParquetColumnSpec).name} expects a string, got ${typeof value}`);
        }
        bytes.push(value);
      } else {
        (this.boxed[c] as ParquetValue[]).push(value);
      }
    }
    this.count = at + 1;
  }

  /** The buffered values of every column (views of the buffer: use them before the next `clear`/`push`). */
  columnValues(): ColumnValues[] {
    return this.columns.map((_, c) => {
      const typed = this.typed[c];
      if (typed !== undefined) return typed.subarray(0, this.count);
      return this.bytes[c]?.views() ?? (this.boxed[c] as ParquetValue[]);
    });
  }

  /** Forgets the buffered rows; typed storage is kept for reuse. */
  clear(): void {
    this.count = 0;
    for (let c = 0; c < this.boxed.length; c++) if (this.boxed[c] !== undefined) this.boxed[c] = [];
    for (const bytes of this.bytes) bytes?.clear();
  }

  /** Drops typed storage too (for a buffer that may stay idle a long time). */
  release(): void {
    this.clear();
    for (let c = 0; c < this.bytes.length; c++) if (this.bytes[c] !== undefined) this.bytes[c] = new Utf8Column();
    this.capacity = INITIAL_CAPACITY;
    for (let c = 0; c < this.typed.length; c++) {
      if (this.typed[c] !== undefined) this.typed[c] = newTyped(this.columns[c] as ParquetColumnSpec, INITIAL_CAPACITY);
    }
  }

  private grow(): void {
    this.capacity *= 2;
    for (let c = 0; c < this.typed.length; c++) {
      const old = this.typed[c];
      if (old === undefined) continue;
      const bigger = old instanceof BigInt64Array ? new BigInt64Array(this.capacity) : new Int32Array(this.capacity);
      (bigger as { set(a: ArrayLike<unknown>): void }).set(old);
      this.typed[c] = bigger;
    }
  }
}

function newTyped(column: ParquetColumnSpec, capacity: number): BigInt64Array | Int32Array | undefined {
  if (column.nullable === true) return undefined;
  switch (column.kind) {
    case 'int64':
    case 'decimal':
    case 'timestamp-micros-utc':
      return new BigInt64Array(capacity);
    case 'int32':
      return new Int32Array(capacity);
    default:
      return undefined;
  }
}

/** Strings that are not dictionary-encoded are kept as bytes (see the class comment). */
function storesBytes(column: ParquetColumnSpec): boolean {
  return column.kind === 'string' && column.encoding !== 'dictionary';
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string column, back to back, with each value's end offset (-1 marks a null). */
class Utf8Column {
  private data = new Uint8Array(INITIAL_CAPACITY * 16);
  private ends = new Int32Array(INITIAL_CAPACITY);
  private size = 0;
  private count = 0;

  push(value: string | null): void {
    if (this.count === this.ends.length) {
      const ends = new Int32Array(this.ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    if (value === null) {
      this.ends[this.count++] = -1;
      return;
    }
    const length = value.length;
    // At most 3 bytes per UTF-16 unit; ASCII (the usual case) is exactly 1.
    if (this.size + length * 3 > this.data.length) this.grow(this.size + length * 3);
    const data = this.data;
    let at = this.size;
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) break;
      data[at++] = code;
    }
    if (i < length) at += encoder.encodeInto(value.slice(i), data.subarray(at)).written;
    this.size = at;
    this.ends[this.count++] = at;
  }

  /** One view per value (null for a null), valid until the next `push` or `clear`. */
  views(): (Uint8Array | null)[] {
    const views: (Uint8Array | null)[] = new Array(this.count);
    let start = 0;
    for (let i = 0; i < this.count; i++) {
      const end = this.ends[i] as number;
      if (end < 0) {
        views[i] = null;
        continue;
      }
      views[i] = this.data.subarray(start, end);
      start = end;
    }
    return views;
  }

  clear(): void {
    this.size = 0;
    this.count = 0;
  }

  private grow(needed: number): void {
    const data = new Uint8Array(Math.max(needed, this.data.length * 2));
    data.set(this.data.subarray(0, this.size));
    this.data = data;
  }
}
