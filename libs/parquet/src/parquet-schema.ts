import { InternalError } from '@ledgerlake/domain';
import type { SchemaElement } from 'hyparquet-writer';

/**
 * Parquet column declarations for LedgerLake's tables, in the few shapes the lake uses, mapped
 * to explicit Parquet schema elements (never inferred: inference guesses DOUBLE for money and
 * cannot see UTC).
 */

/** The logical kinds of column the lake writes. */
export type ParquetColumnKind =
  /** INT64, read as BIGINT. Values: bigint. */
  | 'int64'
  /** INT32, read as INTEGER. Values: number. */
  | 'int32'
  /** UTF-8 BYTE_ARRAY, read as VARCHAR/STRING. Values: string. */
  | 'string'
  /**
   * DECIMAL(precision, scale): exact; values are bigint unscaled (minor units). Up to 18 digits on
   * INT64, up to 38 (what SQL engines give a SUM of decimals) on a 16-byte FIXED_LEN_BYTE_ARRAY.
   */
  | 'decimal'
  /** TIMESTAMP(MICROS, isAdjustedToUTC=true) on INT64; values are bigint microseconds since the epoch. */
  | 'timestamp-micros-utc';

/**
 * How a column is encoded. `dictionary` suits few distinct values (currency, ids of the run);
 * `delta` suits integers that change little from row to row (ids, line numbers, times, amounts);
 * `plain` suits unique values (hashes); `auto` lets hyparquet-writer decide per column chunk.
 */
export type ParquetColumnEncoding = 'dictionary' | 'delta' | 'plain' | 'auto';

/** One column of a Parquet table. */
export interface ParquetColumnSpec {
  readonly name: string;
  readonly kind: ParquetColumnKind;
  /** May hold null (OPTIONAL); default false (REQUIRED). */
  readonly nullable?: boolean;
  /** Default `auto`. */
  readonly encoding?: ParquetColumnEncoding;
  /** For `decimal`: total digits (1..38; over 18 they are stored as 16 bytes, not INT64). */
  readonly precision?: number;
  /** For `decimal`: fraction digits. */
  readonly scale?: number;
  /**
   * Min/max and null count in the footer; default the writer's `statistics`. Off where no reader
   * can skip on them (a unique hash), since computing them is a pass over every value.
   */
  readonly statistics?: boolean;
}

/** DECIMAL on INT64 holds at most 18 digits. */
const MAX_INT64_DECIMAL_PRECISION = 18;
/** DECIMAL on a 16-byte FIXED_LEN_BYTE_ARRAY (two's complement, big-endian) holds 38. */
const MAX_DECIMAL_PRECISION = 38;
const WIDE_DECIMAL_BYTES = 16;

/** Maps column declarations to the flat Parquet schema (root first) hyparquet-writer takes. */
export function parquetSchemaElements(columns: readonly ParquetColumnSpec[]): SchemaElement[] {
  if (columns.length === 0) throw new InternalError('parquet: a table needs at least one column');
  const names = new Set<string>();
  const elements: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) {
    if (names.has(column.name)) throw new InternalError(`parquet: duplicate column ${JSON.stringify(column.name)}`);
    names.add(column.name);
    elements.push(schemaElement(column));
  }
  return elements;
}

function schemaElement(column: ParquetColumnSpec): SchemaElement {
  const { name, kind } = column;
  const repetition_type = column.nullable === true ? 'OPTIONAL' : 'REQUIRED';
  switch (kind) {
    case 'int64':
      return { name, type: 'INT64', repetition_type };
    case 'int32':
      return { name, type: 'INT32', repetition_type };
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'decimal': {
      const { precision, scale } = column;
      if (
        precision === undefined ||
        scale === undefined ||
        !Number.isInteger(precision) ||
        !Number.isInteger(scale) ||
        precision < 1 ||
        precision > MAX_DECIMAL_PRECISION ||
        scale < 0 ||
        scale > precision
      ) {
        throw new InternalError(
          `parquet: decimal column ${name} needs precision 1..${MAX_DECIMAL_PRECISION} and scale 0..precision, ` +
            `got precision ${precision} scale ${scale}`,
        );
      }
      const storage =
        precision <= MAX_INT64_DECIMAL_PRECISION
          ? ({ type: 'INT64' } as const)
          : ({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: WIDE_DECIMAL_BYTES } as const);
      return {
        name,
        ...storage,
        converted_type: 'DECIMAL',
        precision,
        scale,
        logical_type: { type: 'DECIMAL', precision, scale },
        repetition_type,
      };
    }
    case 'timestamp-micros-utc':
      // The converted type as well as the logical type: older readers (Hive) only know the former,
      // and TIMESTAMP_MICROS means "adjusted to UTC" there too.
      return {
        name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        repetition_type,
      };
    default:
      throw new InternalError(`parquet: column ${name} has unknown kind ${JSON.stringify(kind satisfies never)}`);
  }
}
