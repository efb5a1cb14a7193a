import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import {
  DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  StatementType,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import {
  type CatalogPartition,
  parseSymlinkManifest,
  readLakeCatalog,
  rejectedColumns,
  SILVER_COLUMNS,
} from '@ledgerlake/lake';
import { type ParquetColumnSpec } from '@ledgerlake/parquet';
import { ACCOUNT_BALANCES_COLUMNS, MONTHLY_REPORTS_COLUMNS } from '@ledgerlake/promotion';
import { LAKE_BUCKET_NAMES, listAll, type PrefixRef, type PublishedTableName } from '@ledgerlake/storage';
import type { LocalLake } from './lake-folder';

/*
 * The local SQL engine (docs/contract/tables.md): an in-memory DuckDB whose tables are views over the
 * lake's Parquet, with the names Athena uses.
 *
 * - silver.transactions, gold.account_balances, gold.monthly_reports come from the lake's catalog
 *   only: for each registered partition, the objects its symlink manifest lists (the reader
 *   contract of libs/lake published-partition.ts), with the partition columns added as
 *   constants from the catalog entry. Never a listing of current/ or a run folder.
 * - quarantine.rows and quarantine.condemned are every `part-*.parquet` under their
 *   `ingest_date=*` folders, as Athena's partition projection reads them, with `ingest_date` from
 *   the path.
 *
 * Every column is cast to its declared type, so a table has the same columns and types whether it
 * holds many files or none (an empty lake still answers `SELECT count(*) FROM silver.transactions`).
 */

/** A column of a query result: its name and DuckDB type (e.g. `DECIMAL(16,2)`). */
export interface SqlColumn {
  readonly name: string;
  readonly type: string;
}

/** A value of a query result, JSON-safe and exact (see `toJsonValue`). */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };

/** What a query returned. */
export interface SqlResult {
  readonly columns: readonly SqlColumn[];
  /** Row objects keyed by column name (duplicate names get DuckDB's `_1` suffixes). */
  readonly rows: readonly Record<string, SqlValue>[];
}

/** A query DuckDB rejected or failed to run; the message is DuckDB's. */
export class SqlQueryError extends Error {
  override readonly name = 'SqlQueryError' as const;
}

/**
 * A statement the query surface does not run: more than one statement, or one that is not a
 * query (the surface is read-only: `COPY … TO`, `CREATE`, `ATTACH`, `SET`, … are refused), or a
 * query that reads a file outside the lake (`read_csv('/etc/passwd')`).
 */
export class SqlRefusedError extends Error {
  override readonly name = 'SqlRefusedError' as const;
}

/** A query result read batch by batch (DuckDB's chunks: about 2,048 rows each), in flat memory. */
export interface SqlRowStream {
  readonly columns: readonly SqlColumn[];
  readonly batches: AsyncIterable<readonly Record<string, SqlValue>[]>;
}

/** The lake as SQL: run queries, then close. */
export interface LakeSql {
  /** Runs `sql` with positional `?` parameters; throws `SqlQueryError` when DuckDB rejects it. */
  query(sql: string, params?: readonly string[]): Promise<SqlResult>;
  /** Runs one read-only statement, its rows read as they come; `SqlRefusedError` for anything else. */
  stream(sql: string): Promise<SqlRowStream>;
  /** Writes one read-only statement's rows to a Parquet file (a path given to `openLakeSql` as writable); resolves to the row count. */
  copyToParquet(sql: string, path: string): Promise<number>;
  close(): void;
}

/** The statement types the query surface runs: a query (`SELECT`, `WITH … SELECT`, `VALUES`, `FROM …`, read-only `PRAGMA`s) or its plan. */
const READ_ONLY_STATEMENTS: ReadonlySet<number> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

/** The SQL tables of the lake (docs/contract/tables.md, "Table names"), the same names as in Athena. */
export const SQL_TABLE_NAMES = [
  'silver.transactions',
  'gold.account_balances',
  'gold.monthly_reports',
  'quarantine.rows',
  'quarantine.condemned',
] as const;

interface PartitionColumn {
  readonly name: string;
  readonly type: 'INTEGER' | 'VARCHAR';
}

interface PublishedTable {
  readonly name: PublishedTableName;
  readonly columns: readonly ParquetColumnSpec[];
  readonly partitionColumns: readonly PartitionColumn[];
}

/** The published tables: their Parquet columns (as the writers declare them) and partition columns (as Glue declares them). */
const PUBLISHED_TABLES: readonly PublishedTable[] = [
  {
    name: 'silver.transactions',
    columns: SILVER_COLUMNS,
    partitionColumns: [
      { name: 'year', type: 'INTEGER' },
      { name: 'month', type: 'VARCHAR' },
      { name: 'schema_v', type: 'VARCHAR' },
    ],
  },
  { name: 'gold.account_balances', columns: ACCOUNT_BALANCES_COLUMNS, partitionColumns: [{ name: 'as_of_month', type: 'VARCHAR' }] },
  { name: 'gold.monthly_reports', columns: MONTHLY_REPORTS_COLUMNS, partitionColumns: [{ name: 'month', type: 'VARCHAR' }] },
];

const INGEST_DATE_COLUMN: PartitionColumn = { name: 'ingest_date', type: 'VARCHAR' };
const REJECTED_PART = /^ingest_date=(\d{4}-\d{2}-\d{2})\/run_id=[^/]+\/part-[A-Za-z0-9._-]+\.parquet$/;

/**
 * Opens an in-memory DuckDB (session time zone UTC) with the lake's tables as views, then locks it
 * down: no file outside the lake folder can be read or written (`enable_external_access` off, the
 * lake folder and a scratch folder for spilling the only allowed directories, `writablePaths` the
 * only other files), and the configuration cannot be changed back.
 */
export async function openLakeSql(lake: LocalLake, options: { readonly writablePaths?: readonly string[] } = {}): Promise<LakeSql> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const scratch = mkdtempSync(join(tmpdir(), 'ledgerlake-sql-'));
  const close = () => {
    connection.closeSync();
    instance.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const statements = ['CREATE SCHEMA silver', 'CREATE SCHEMA gold', 'CREATE SCHEMA quarantine'];
    // Silver is the lake's dataset's table (`silver.transactions` for the one the product ships).
    const [silver, ...gold] = PUBLISHED_TABLES as [PublishedTable, ...PublishedTable[]];
    for (const table of [{ ...silver, name: lake.layout.dataset.silver.table }, ...gold]) statements.push(await publishedTableView(lake, table));
    statements.push(await rejectedRowsView(lake, 'quarantine.rows', lake.layout.quarantine.tablePrefix()));
    statements.push(await rejectedRowsView(lake, 'quarantine.condemned', lake.layout.condemned.tablePrefix()));
    statements.push(
      `SET temp_directory = ${quoteLiteral(scratch)}`,
      `SET allowed_directories = [${[lake.root, scratch].map((dir) => quoteLiteral(dir.endsWith(sep) ? dir : `${dir}${sep}`)).join(', ')}]`,
      `SET allowed_paths = [${(options.writablePaths ?? []).map(quoteLiteral).join(', ')}]`,
      'SET enable_external_access = false',
      'SET lock_configuration = true',
    );
    for (const statement of statements) await connection.run(statement);
  } catch (error) {
    close();
    throw error;
  }
  return {
    query: (sql, params) => runQuery(connection, sql, params ?? []),
    stream: async (sql) => streamQuery(await readOnlyStatement(connection, sql)),
    copyToParquet: async (sql, path) => {
      await readOnlyStatement(connection, sql);
      const copy = `COPY (\n${withoutFinalSemicolon(sql)}\n) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`;
      const result = await asSqlQueryError(() => connection.run(copy));
      return Number(result.rowsChanged);
    },
    close,
  };
}

/** The one statement of `sql`, prepared, if it is read-only; else `SqlRefusedError` with why. */
async function readOnlyStatement(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const extracted = await asSqlQueryError(() => connection.extractStatements(sql));
  if (extracted.count === 0) throw new SqlRefusedError('The query is empty: give one SELECT statement.');
  if (extracted.count > 1) {
    throw new SqlRefusedError(`The query holds ${extracted.count} statements: \`ledgerlake query\` runs one statement (a SELECT); run them one at a time.`);
  }
  const prepared = await asSqlQueryError(() => extracted.prepare(0));
  if (!READ_ONLY_STATEMENTS.has(prepared.statementType)) {
    const kind = StatementType[prepared.statementType] ?? String(prepared.statementType);
    throw new SqlRefusedError(`The query is ${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} statement: \`ledgerlake query\` is read-only and runs only queries (SELECT, WITH … SELECT, EXPLAIN).`);
  }
  return prepared;
}

async function streamQuery(prepared: DuckDBPreparedStatement): Promise<SqlRowStream> {
  const result = await asSqlQueryError(() => prepared.stream());
  const names = result.deduplicatedColumnNames();
  const columns = names.map((name, index) => ({ name, type: result.columnType(index).toString() }));
  async function* batches(): AsyncGenerator<readonly Record<string, SqlValue>[]> {
    for (;;) {
      const chunk = await asSqlQueryError(() => result.fetchChunk());
      if (chunk === null || chunk.rowCount === 0) return;
      const rows: Record<string, SqlValue>[] = [];
      const values = chunk.convertRows(toJsonValue) as SqlValue[][];
      for (const row of values) rows.push(Object.fromEntries(names.map((name, index) => [name, row[index] ?? null])));
      yield rows;
    }
  }
  return { columns, batches: batches() };
}

function withoutFinalSemicolon(sql: string): string {
  return sql.replace(/;\s*$/, '');
}

/** DuckDB's failures as `SqlQueryError` (a file outside the lake: `SqlRefusedError`). */
async function asSqlQueryError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Not `instanceof Error`: the native binding's errors may come from another realm (e.g. under jest).
    const raw = (error as { message?: unknown } | undefined)?.message;
    const message = typeof raw === 'string' ? raw : String(error);
    const file = /^Permission Error: Cannot access (?:file|directory) "([^"]*)"/.exec(message);
    if (file !== null) {
      throw new SqlRefusedError(
        `The query names a file outside the lake (${JSON.stringify(file[1])}): \`ledgerlake query\` reads only the lake's tables and writes no file.`,
        { cause: error },
      );
    }
    throw new SqlQueryError(message, { cause: error });
  }
}

async function runQuery(connection: DuckDBConnection, sql: string, params: readonly string[]): Promise<SqlResult> {
  const reader = await asSqlQueryError(() => (params.length === 0 ? connection.runAndReadAll(sql) : connection.runAndReadAll(sql, [...params])));
  const names = reader.deduplicatedColumnNames();
  const columns = names.map((name, index) => ({ name, type: reader.columnType(index).toString() }));
  return { columns, rows: reader.convertRowObjects(toJsonValue) as Record<string, SqlValue>[] };
}

/**
 * DuckDB values as exact JSON: DECIMAL as a string with its exact digits (`"326.00"`); integers
 * as numbers when within ±(2^53−1), else strings of their digits; timestamps as ISO-8601 UTC
 * (`2024-01-05T09:00:00Z`; a fraction, when not zero, as milliseconds or else microseconds);
 * everything else as DuckDB's JSON conversion gives it (DATE `YYYY-MM-DD`, VARCHAR, BOOLEAN,
 * DOUBLE, lists, structs).
 */
export const toJsonValue: DuckDBValueConverter<SqlValue> = (value, type, converter) => {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return safeInteger(value as bigint);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return isoFromMicros(value, (value as { micros: bigint }).micros);
    case DuckDBTypeId.TIMESTAMP_MS:
      return isoFromMicros(value, (value as { millis: bigint }).millis * 1000n);
    case DuckDBTypeId.TIMESTAMP_S:
      return isoFromMicros(value, (value as { seconds: bigint }).seconds * 1_000_000n);
    default:
      return JsonDuckDBValueConverter(value, type as DuckDBType, converter) as SqlValue;
  }
};

function safeInteger(value: bigint): number | string {
  const big = BigInt(value);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
}

const MICROS_PER_DAY = 86_400_000_000n;

/** ISO-8601 UTC from microseconds since the epoch, exactly (no Date rounding); infinities as DuckDB names them. */
function isoFromMicros(value: DuckDBValue, micros: bigint): string {
  if ((value as { isFinite?: boolean }).isFinite === false) return String(value);
  const days = micros >= 0n ? micros / MICROS_PER_DAY : -((-micros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const inDay = micros - days * MICROS_PER_DAY;
  const date = new Date(Number(days) * 86_400_000).toISOString().slice(0, 10);
  const seconds = inDay / 1_000_000n;
  const fraction = inDay % 1_000_000n;
  const hh = String(seconds / 3600n).padStart(2, '0');
  const mm = String((seconds / 60n) % 60n).padStart(2, '0');
  const ss = String(seconds % 60n).padStart(2, '0');
  const digits = String(fraction).padStart(6, '0');
  const frac = fraction === 0n ? '' : fraction % 1000n === 0n ? `.${digits.slice(0, 3)}` : `.${digits}`;
  return `${date}T${hh}:${mm}:${ss}${frac}Z`;
}

/** The DuckDB type a writer's column kind reads as (what DuckDB reports for the Parquet). */
export function duckdbType(column: ParquetColumnSpec): string {
  switch (column.kind) {
    case 'int64':
      return 'BIGINT';
    case 'int32':
      return 'INTEGER';
    case 'string':
      return 'VARCHAR';
    case 'decimal':
      return `DECIMAL(${column.precision ?? 18},${column.scale ?? 0})`;
    case 'timestamp-micros-utc':
      return 'TIMESTAMP WITH TIME ZONE';
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A column a view adds beside the Parquet columns: a partition column, as an SQL expression. */
interface AddedColumn {
  readonly column: PartitionColumn;
  /** SQL of its value; `NULL` in an empty table. */
  readonly expression: string;
}

/**
 * `SELECT <the Parquet columns, cast to their types>, <added columns> FROM read_parquet(files)`, or
 * the same columns with no rows when there are no files.
 */
function typedSelect(
  columns: readonly ParquetColumnSpec[],
  files: readonly string[],
  added: readonly AddedColumn[],
  withFilename = false,
): string {
  const empty = files.length === 0;
  const data = columns.map(
    (column) => `CAST(${empty ? 'NULL' : quoteIdentifier(column.name)} AS ${duckdbType(column)}) AS ${quoteIdentifier(column.name)}`,
  );
  const extra = added.map(
    ({ column, expression }) => `CAST(${empty ? 'NULL' : expression} AS ${column.type}) AS ${quoteIdentifier(column.name)}`,
  );
  const select = `SELECT ${[...data, ...extra].join(', ')}`;
  if (empty) return `${select} WHERE false`;
  // hive_partitioning off: partition values come from the catalog (or the path), not from DuckDB's guess.
  const list = files.map(quoteLiteral).join(', ');
  return `${select} FROM read_parquet([${list}], hive_partitioning = false${withFilename ? ', filename = true' : ''})`;
}

async function publishedTableView(lake: LocalLake, table: PublishedTable): Promise<string> {
  const entries = await readLakeCatalog(lake.store, lake.layout, table.name);
  const selects: string[] = [];
  for (const entry of entries) {
    const files = await manifestFiles(lake, entry);
    if (entry.values.length !== table.partitionColumns.length) {
      throw new Error(`sql: the catalog entry ${table.name} ${entry.partition} has ${entry.values.length} partition values, expected ${table.partitionColumns.length}`);
    }
    const added = table.partitionColumns.map((column, index) => ({ column, expression: quoteLiteral(entry.values[index] ?? '') }));
    if (files.length > 0) selects.push(typedSelect(table.columns, files, added));
  }
  if (selects.length === 0) {
    selects.push(typedSelect(table.columns, [], table.partitionColumns.map((column) => ({ column, expression: 'NULL' }))));
  }
  return `CREATE VIEW ${table.name} AS\n${selects.join('\nUNION ALL\n')}`;
}

/** The local paths of the Parquet objects a catalog entry's symlink manifest lists. */
async function manifestFiles(lake: LocalLake, entry: CatalogPartition): Promise<string[]> {
  const ref = { bucket: entry.location.bucket, key: `${entry.location.prefix}manifest` };
  const bytes = await lake.store.getBytes(ref);
  if (bytes === undefined) {
    throw new Error(`sql: the catalog registers ${entry.table} ${entry.partition} at ${ref.bucket}/${ref.key}, which is missing`);
  }
  return parseSymlinkManifest(new TextDecoder().decode(bytes), ref).map((object) => localPath(lake, object.bucket, object.key));
}

/** s3://<bucket>/<key> of the local lake ↔ <lake>/<bucket>/<key>. */
function localPath(lake: LocalLake, bucket: string, key: string): string {
  const known = LAKE_BUCKET_NAMES.some((name) => lake.layout.buckets[name] === bucket);
  if (!known) throw new Error(`sql: a manifest names bucket ${JSON.stringify(bucket)}, which is not one of the lake's`);
  return join(lake.root, bucket, ...key.split('/'));
}

async function rejectedRowsView(lake: LocalLake, name: string, prefix: PrefixRef): Promise<string> {
  const files: string[] = [];
  for await (const object of listAll(lake.store, prefix.bucket, prefix.prefix)) {
    if (REJECTED_PART.test(object.key.slice(prefix.prefix.length))) files.push(localPath(lake, prefix.bucket, object.key));
  }
  files.sort();
  const ingestDate = { column: INGEST_DATE_COLUMN, expression: String.raw`regexp_extract(filename, 'ingest_date=(\d{4}-\d{2}-\d{2})[/\\]', 1)` };
  return `CREATE VIEW ${name} AS\n${typedSelect(rejectedColumns(lake.layout.dataset), files, [ingestDate], true)}`;
}
