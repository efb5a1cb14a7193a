import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AthenaClient, type AthenaClientConfig, type ColumnInfo, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { athenaQuery, AthenaQueryError } from '@ledgerlake/promotion';
import { CliError } from './cli-error';
import type { SqlColumn, SqlResult, SqlValue } from './sql-engine';
import { awsClientConfig, describeStage, describeStageError, type StageTarget } from './stage-lake';
import { stageResources } from './stage-names';
import { REPO_ROOT } from './repo-root';

/*
 * `query` and `report balances` on `--stage NAME`: the SQL runs on Athena in the stage's workgroup
 * (its result location and its per-query scan cut-off), over the Glue tables promotion keeps
 * (sql/README.md). The SQL is written as on a laptop — `silver.transactions`, `gold.…`,
 * `quarantine.…` — and those three schemas are read as the stage's databases (`silver_<stage>`, …).
 * Results are read page by page; decimals stay exact strings, as DuckDB's do locally.
 */

/** The Athena client a stage command uses; tests point it elsewhere. */
export type AthenaClientFactory = (config: AthenaClientConfig) => AthenaClient;

/** The Athena twin of the month-end balance report (sql/README.md), with `${stage}` for the stage. */
export const ATHENA_BALANCES_REPORT_SQL = join(REPO_ROOT, 'sql/athena/reports/month-end-balances.sql');

/** What a stage's query returned, and what it cost against the workgroup's cut-off. */
export interface StageSqlResult extends SqlResult {
  readonly queryExecutionId: string;
  readonly scannedBytes: number;
  /** The workgroup's per-query scan cut-off in bytes (`undefined`: none set). */
  readonly cutoffBytes: number | undefined;
}

/** How a stage query runs. */
export interface StageSqlOptions {
  readonly athena?: AthenaClientFactory;
  /** Positional `?` values (`YYYY-MM` months), passed as Athena execution parameters. */
  readonly params?: readonly string[];
  readonly pollMs?: number;
}

/** Runs one SQL text on the stage's Athena workgroup. */
export async function stageQuery(target: StageTarget, sql: string, options: StageSqlOptions = {}): Promise<StageSqlResult> {
  const names = stageResources(target.stage);
  const workGroup = names.workGroup;
  const config = awsClientConfig(target);
  const client = options.athena?.(config) ?? new AthenaClient(config);
  const group = await client
    .send(new GetWorkGroupCommand({ WorkGroup: workGroup }))
    .catch((error: unknown) => {
      throw new CliError(describeStageError(error, target, `workgroup ${workGroup}`));
    });
  const cutoffBytes = group.WorkGroup?.Configuration?.BytesScannedCutoffPerQuery;
  const rows: Record<string, SqlValue>[] = [];
  let columns: readonly ColumnInfo[] = [];
  try {
    const polling = options.pollMs === undefined ? undefined : { firstMs: options.pollMs, maxMs: options.pollMs };
    const result = await athenaQuery(client, workGroup, stageSql(sql, target.stage), {
      ...(options.params === undefined ? {} : { parameters: options.params.map(sqlLiteral) }),
      ...(polling === undefined ? {} : { polling }),
      onRows: (page, pageColumns) => {
        columns = pageColumns;
        for (const row of page) rows.push(Object.fromEntries(pageColumns.map((column, index) => [column.Name ?? `_${index}`, athenaValue(row[index], column)])));
      },
    });
    return { columns: columns.map(sqlColumn), rows, queryExecutionId: result.queryExecutionId, scannedBytes: result.scannedBytes, cutoffBytes };
  } catch (error) {
    if (error instanceof AthenaQueryError) throw new CliError(describeAthenaFailure(error, target, workGroup, cutoffBytes));
    if (error instanceof CliError) throw error;
    throw new CliError(describeStageError(error, target, `workgroup ${workGroup}`));
  }
}

/** The month-end balances on a stage: the Athena report file, for `from`..`to`. */
export async function stageMonthEndBalances(target: StageTarget, from: string, to: string, options: StageSqlOptions = {}): Promise<StageSqlResult> {
  const sql = (await readFile(ATHENA_BALANCES_REPORT_SQL, 'utf8')).replaceAll('${stage}', target.stage);
  return stageQuery(target, sql, { ...options, params: [from, to] });
}

/** The line a command prints on stderr after a stage query: what Athena scanned against the cut-off. */
export function describeScan(result: StageSqlResult, target: StageTarget): string {
  const limit = result.cutoffBytes === undefined ? 'no per-query scan limit' : `the workgroup's limit of ${formatBytes(result.cutoffBytes)} per query`;
  return `Athena query ${result.queryExecutionId} on ${describeStage(target)}: ${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'}, scanned ${formatBytes(result.scannedBytes)} of ${limit}.`;
}

/**
 * The SQL with the laptop's schema names read as the stage's databases: `silver.` → `silver_<stage>.`
 * (likewise `gold.`, `quarantine.`), outside string literals, quoted identifiers and comments. A
 * name already written as the stage's (`silver_prod.transactions`) is left as it is.
 */
export function stageSql(sql: string, stage: string): string {
  const { databases } = stageResources(stage);
  const schemas: Record<string, string> = databases;
  // Literals, quoted identifiers and comments pass through; only the plain text between them is rewritten.
  return sql.replace(/('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)|([^'"\-/]+|[-/])/g, (whole, skipped: string | undefined, text: string | undefined) =>
    skipped !== undefined || text === undefined
      ? whole
      : text.replace(/(?<![\w.])(silver|gold|quarantine)(\s*\.\s*)(?=[A-Za-z_"`])/gi, (_m, schema: string, dot: string) => `${schemas[schema.toLowerCase()]}${dot}`),
  );
}

function describeAthenaFailure(error: AthenaQueryError, target: StageTarget, workGroup: string, cutoffBytes: number | undefined): string {
  if (/bytes scanned limit/i.test(error.reason)) {
    const limit = cutoffBytes === undefined ? 'scan limit' : `scan limit of ${formatBytes(cutoffBytes)} per query`;
    return (
      `The query was stopped by workgroup ${workGroup}'s ${limit} on ${describeStage(target)} after scanning ${formatBytes(error.scannedBytes)} ` +
      `(Athena query ${error.queryExecutionId}): filter on the partition columns (silver.transactions: year, month; gold: as_of_month or month; quarantine: ingest_date).`
    );
  }
  return `The query failed on ${describeStage(target)} (Athena query ${error.queryExecutionId}, ${error.state}): ${error.reason.replace(/\.$/, '')}.`;
}

/** A `?` value as Athena's execution parameters take it: a SQL string literal. */
function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Athena's column type in the words the table printer knows (`DECIMAL(38,2)`, `BIGINT`, `VARCHAR`). */
function sqlColumn(column: ColumnInfo): SqlColumn {
  const type = (column.Type ?? 'varchar').toUpperCase();
  return { name: column.Name ?? '', type: type === 'DECIMAL' ? `DECIMAL(${column.Precision ?? 38},${column.Scale ?? 0})` : type };
}

/** One value, exact: integers as numbers while safe (else strings), decimals and everything textual as strings, NULL as null. */
function athenaValue(value: string | undefined, column: ColumnInfo): SqlValue {
  if (value === undefined) return null;
  switch ((column.Type ?? '').toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : value;
    }
    case 'double':
    case 'float':
    case 'real':
      return Number(value);
    case 'boolean':
      return value === 'true';
    default:
      return value;
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}
