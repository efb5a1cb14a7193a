export { ChunkChannel } from './chunk-channel';
export { ColumnBuffer, type ColumnValues, type ParquetValue } from './column-buffer';
export {
  ParquetObjectWriter,
  utf8Views,
  type Compressor,
  type ParquetObjectOptions,
  type WrittenParquetObject,
} from './parquet-object-writer';
export {
  parquetSchemaElements,
  type ParquetColumnEncoding,
  type ParquetColumnKind,
  type ParquetColumnSpec,
} from './parquet-schema';
export {
  PartitionedParquetWriter,
  type ParquetBufferLimits,
  type PartitionedParquetWriterOptions,
  type WrittenPartition,
} from './partitioned-parquet-writer';
export {
  openParquetObject,
  readParquetRowGroups,
  type ParquetRowGroup,
  type ReadParquetOptions,
  TIMESTAMPS_AS_MICROS,
} from './parquet-object-reader';
