import { InternalError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { ColumnBuffer, type ColumnValues, type ParquetValue } from './column-buffer';
import { ParquetObjectWriter, type Compressor, type WrittenParquetObject } from './parquet-object-writer';
import type { ParquetColumnSpec } from './parquet-schema';

/** Sizing of a `PartitionedParquetWriter`: together they bound its memory, whatever the input size. */
export interface ParquetBufferLimits {
  /** Rows per row group: a partition's buffer is written out when it reaches this many rows. */
  readonly rowGroupRows: number;
  /** Rows buffered across all partitions; above it the largest buffer is written out early. */
  readonly maxBufferedRows: number;
  /** Parquet objects open at once; opening one more finishes the least recently written. */
  readonly maxOpenFiles: number;
  /** Rows per Parquet object; the next row group starts a new part. */
  readonly maxRowsPerFile: number;
}

/** Options of a `PartitionedParquetWriter`. */
export interface PartitionedParquetWriterOptions {
  /** Every column of the files, in order. */
  readonly columns: readonly ParquetColumnSpec[];
  /**
   * Values of columns that are the same on every row (run id, ingestion time): not buffered, filled
   * in when a row group is written. Rows passed to `append` leave these columns out.
   */
  readonly constants?: Readonly<Record<string, ParquetValue>>;
  /** Where part `part` (0, 1, …) of `partition` goes. */
  partRef(partition: string, part: number): ObjectRef;
  /** Called once per partition before its first part is opened (e.g. to refuse a sealed folder). */
  beforeFirstPart?(partition: string): Promise<void>;
  readonly limits: ParquetBufferLimits;
  readonly compressor?: Compressor;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What was written for one partition. */
export interface WrittenPartition {
  readonly partition: string;
  readonly rows: number;
  readonly files: readonly WrittenParquetObject[];
}

interface PartitionState {
  readonly key: string;
  readonly buffer: ColumnBuffer;
  file: ParquetObjectWriter | undefined;
  nextPart: number;
  rows: number;
  lastWrite: number;
  readonly files: WrittenParquetObject[];
}

/**
 * Streams rows into Parquet objects by partition (e.g. Silver year/month). Rows are buffered per
 * partition and written as a row group when a buffer reaches `rowGroupRows`; when all buffers
 * together exceed `maxBufferedRows` (many months interleaved), the largest is written out early.
 * At most `maxOpenFiles` objects are open at a time and each holds at most `maxRowsPerFile` rows.
 */
export class PartitionedParquetWriter {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly bufferedColumns: readonly ParquetColumnSpec[];
  private readonly constantAt: readonly (ParquetValue | undefined)[];
  private buffered = 0;
  private openFiles = 0;
  private clock = 0;
  private failed = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: PartitionedParquetWriterOptions,
  ) {
    const { limits, columns } = options;
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new InternalError(`parquet: limit ${name} must be a positive integer, got ${value}`);
      }
    }
    if (limits.maxBufferedRows < limits.rowGroupRows) {
      throw new InternalError(
        `parquet: maxBufferedRows ${limits.maxBufferedRows} must be at least rowGroupRows ${limits.rowGroupRows}`,
      );
    }
    const constants = options.constants ?? {};
    for (const name of Object.keys(constants)) {
      if (!columns.some((column) => column.name === name)) throw new InternalError(`parquet: constant for unknown column ${name}`);
    }
    this.constantAt = columns.map((column) => (column.name in constants ? constants[column.name] : undefined));
    this.bufferedColumns = columns.filter((column) => !(column.name in constants));
  }

  /** Rows buffered and not yet written, across partitions. */
  get bufferedRows(): number {
    return this.buffered;
  }

  /**
   * Appends a row (values of the non-constant columns, in column order) to a partition. Returns a
   * promise only when a row group has to be written first; `await` it before the next append.
   */
  append(partition: string, values: readonly ParquetValue[]): Promise<void> | undefined {
    if (this.failed) throw new InternalError('parquet: writer failed earlier; abort it');
    const state = this.partitions.get(partition) ?? this.addPartition(partition);
    state.buffer.push(values);
    this.buffered += 1;
    if (state.buffer.length >= this.options.limits.rowGroupRows) return this.guard(this.writeBuffer(state));
    if (this.buffered > this.options.limits.maxBufferedRows) return this.guard(this.writeBuffer(this.largest()));
    return undefined;
  }

  /** Writes every buffer out and finishes every object; returns what each partition got, by partition key. */
  async finish(): Promise<WrittenPartition[]> {
    if (this.failed) throw new InternalError('parquet: writer failed earlier; abort it');
    const states = [...this.partitions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await this.guard(
      (async () => {
        for (const state of states) {
          await this.writeBuffer(state);
          await this.closeFile(state);
        }
      })(),
    );
    return states.map((state) => ({ partition: state.key, rows: state.rows, files: state.files }));
  }

  /** Abandons every open object (nothing of them is stored). Objects already finished stay. */
  async abort(reason?: unknown): Promise<void> {
    this.failed = true;
    for (const state of this.partitions.values()) {
      const file = state.file;
      state.file = undefined;
      if (file) await file.abort(reason);
    }
    this.openFiles = 0;
  }

  private async guard(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      await this.abort(error);
      throw error;
    }
  }

  private addPartition(key: string): PartitionState {
    const state: PartitionState = {
      key,
      buffer: new ColumnBuffer(this.bufferedColumns),
      file: undefined,
      nextPart: 0,
      rows: 0,
      lastWrite: 0,
      files: [],
    };
    this.partitions.set(key, state);
    return state;
  }

  private largest(): PartitionState {
    let largest: PartitionState | undefined;
    for (const state of this.partitions.values()) {
      if (largest === undefined || state.buffer.length > largest.buffer.length) largest = state;
    }
    return largest as PartitionState;
  }

  private async writeBuffer(state: PartitionState): Promise<void> {
    const rows = state.buffer.length;
    if (rows === 0) return;
    const { limits } = this.options;
    if (state.file !== undefined && state.file.rows + rows > limits.maxRowsPerFile) await this.closeFile(state);
    const file = state.file ?? (await this.openFile(state));
    const buffered = state.buffer.columnValues();
    let next = 0;
    const values: ColumnValues[] = this.constantAt.map((constant) =>
      constant === undefined ? (buffered[next++] as ColumnValues) : new Array<ParquetValue>(rows).fill(constant),
    );
    await file.writeRowGroup(values, rows);
    state.rows += rows;
    state.lastWrite = ++this.clock;
    this.buffered -= rows;
    // A partition rarely written to should not keep a large buffer it no longer uses.
    if (rows < limits.rowGroupRows) state.buffer.release();
    else state.buffer.clear();
  }

  private async openFile(state: PartitionState): Promise<ParquetObjectWriter> {
    if (this.openFiles >= this.options.limits.maxOpenFiles) {
      let oldest: PartitionState | undefined;
      for (const other of this.partitions.values()) {
        if (other.file !== undefined && (oldest === undefined || other.lastWrite < oldest.lastWrite)) oldest = other;
      }
      if (oldest) await this.closeFile(oldest);
    }
    if (state.nextPart === 0) await this.options.beforeFirstPart?.(state.key);
    const ref = this.options.partRef(state.key, state.nextPart);
    state.nextPart += 1;
    const file = new ParquetObjectWriter(this.store, ref, {
      columns: this.options.columns,
      compressor: this.options.compressor,
      metadata: this.options.metadata,
    });
    state.file = file;
    this.openFiles += 1;
    return file;
  }

  private async closeFile(state: PartitionState): Promise<void> {
    const file = state.file;
    if (file === undefined) return;
    state.file = undefined;
    this.openFiles -= 1;
    state.files.push(await file.finish());
  }
}
