import { LakeStateError, StorageError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import {
  type AsyncBuffer,
  cachedAsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  type ParquetParsers,
  parquetRead,
} from 'hyparquet';

/** Objects smaller than this are fetched whole; bigger ones by byte ranges (footer, then the columns read). */
const WHOLE_OBJECT_BYTES = 8 * 1024 * 1024;

/** One row group's values of the columns asked for, index-aligned from the group's first row. */
export interface ParquetRowGroup {
  readonly rows: number;
  readonly columns: ReadonlyMap<string, readonly unknown[]>;
}

/** hyparquet parsers keeping timestamps as bigint microseconds since the epoch: no `Date` per row, no precision lost. */
export const TIMESTAMPS_AS_MICROS: Partial<ParquetParsers> = {
  timestampFromMicroseconds: (micros: bigint) => micros,
  timestampFromMilliseconds: (millis: bigint) => millis * 1000n,
};

/** Options of `readParquetRowGroups`. */
export interface ReadParquetOptions {
  /** hyparquet parsers (e.g. timestamps as day numbers instead of `Date`). */
  readonly parsers?: Partial<ParquetParsers>;
  /**
   * DECIMAL columns as their unscaled integers (bigint for INT64), exact. hyparquet otherwise
   * divides them into floats, which money must never be.
   */
  readonly rawDecimals?: boolean;
}

async function readRange(store: ObjectStore, ref: ObjectRef, start: number, end: number): Promise<ArrayBuffer> {
  const stream = await store.getStream(ref, { start, end: end - 1 });
  if (stream === undefined) throw new LakeStateError(`parquet: ${ref.bucket}/${ref.key} disappeared while being read`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A Parquet object in the store as hyparquet reads it: byte-range reads, cached; throws when it does not exist. */
export async function openParquetObject(store: ObjectStore, ref: ObjectRef): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  const meta = await store.head(ref);
  if (meta === undefined) throw new LakeStateError(`parquet: ${ref.bucket}/${ref.key} does not exist`);
  const file = cachedAsyncBuffer(
    { byteLength: meta.size, slice: (start, end) => readRange(store, ref, start, end ?? meta.size) },
    { minSize: WHOLE_OBJECT_BYTES },
  );
  try {
    return { file, metadata: await parquetMetadataAsync(file) };
  } catch (error) {
    // hyparquet says what is wrong (e.g. "parquet file invalid (footer != PAR1)"), not where.
    const reason = error instanceof Error ? error.message : String(error);
    throw new StorageError(`parquet: ${ref.bucket}/${ref.key} is not a readable Parquet object (${reason}): it is damaged or was cut short`, {
      cause: error,
    });
  }
}

/** The metadata with DECIMAL annotations removed, so hyparquet hands over the stored integers. */
function withRawDecimals(metadata: FileMetaData): FileMetaData {
  return {
    ...metadata,
    schema: metadata.schema.map((element) => {
      if (element.converted_type !== 'DECIMAL' && element.logical_type?.type !== 'DECIMAL') return element;
      const { converted_type: _converted, logical_type: _logical, ...plain } = element;
      return plain;
    }),
  };
}

/**
 * Reads some columns of a Parquet object one row group at a time (memory: one row group of those
 * columns). Throws naming the object when a column is missing.
 */
export async function* readParquetRowGroups(
  store: ObjectStore,
  ref: ObjectRef,
  columns: readonly string[],
  options: ReadParquetOptions = {},
): AsyncGenerator<ParquetRowGroup> {
  const opened = await openParquetObject(store, ref);
  const metadata = options.rawDecimals === true ? withRawDecimals(opened.metadata) : opened.metadata;
  const present = new Set(metadata.schema.map((element) => element.name));
  // Raw wide decimals arrive as their 16 bytes: handed over as bigint like the INT64 ones.
  const wide = new Set(
    opened.metadata.schema
      .filter((element) => element.type === 'FIXED_LEN_BYTE_ARRAY' && (element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL'))
      .map((element) => element.name),
  );
  const missing = columns.filter((column) => !present.has(column));
  if (missing.length > 0) throw new LakeStateError(`parquet: ${ref.bucket}/${ref.key} has no column ${missing.join(', ')}`);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>(columns.map((c) => [c, []]));
    await parquetRead({
      file: opened.file,
      metadata,
      columns: [...columns],
      rowStart,
      rowEnd: rowStart + rows,
      ...(options.parsers === undefined ? {} : { parsers: options.parsers }),
      onChunk: ({ columnName, columnData, rowStart: at }) => {
        chunks.get(columnName)?.push({ rowStart: at, data: columnData });
      },
    });
    const values = new Map<string, unknown[]>();
    for (const column of columns) {
      const laid = layOut(chunks.get(column) ?? [], rowStart, rows);
      values.set(column, options.rawDecimals === true && wide.has(column) ? laid.map(unscaledOfBytes) : laid);
    }
    yield { rows, columns: values };
    rowStart += rows;
  }
}

/** A decimal's unscaled value from its big-endian two's complement bytes (null stays null). */
function unscaledOfBytes(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  let unscaled = 0n;
  for (const byte of value) unscaled = (unscaled << 8n) | BigInt(byte);
  return value.length > 0 && (value[0] as number) >= 0x80 ? unscaled - (1n << BigInt(value.length * 8)) : unscaled;
}

/** Lays a column's chunks of one row group out as one array indexed from the group's first row. */
function layOut(chunks: readonly { rowStart: number; data: ArrayLike<unknown> }[], groupStart: number, rows: number): unknown[] {
  const out = new Array<unknown>(rows).fill(null);
  for (const { rowStart, data } of chunks) {
    for (let i = 0; i < data.length; i++) {
      const at = rowStart - groupStart + i;
      if (at >= 0 && at < rows) out[at] = data[i];
    }
  }
  return out;
}
