import type { ObjectRef } from '@ledgerlake/storage';
import { GOLD_SQL_TABLES, type GoldSqlTable } from './gold-sql';

/**
 * One Gold build: the months to compute from their inputs, and which of them to write (a month
 * already built from the same Silver is computed — later months' balances need it — but not
 * written again).
 */
export interface GoldBuildRequest {
  /** The Gold months to compute, ascending; every Silver data month from the first on is among them. */
  readonly months: readonly string[];
  /** The months whose two tables are written: a subset of `months`. */
  readonly write: readonly string[];
  /** The published Silver Parquet objects of each data month in `months`. */
  readonly silver: ReadonlyMap<string, readonly ObjectRef[]>;
  /** Gold `account_balances` objects at the end of the month before `months[0]`, or none (start from zero). */
  readonly seed: readonly ObjectRef[];
  /**
   * The object a month's table is written to (`….parquet` under the partition's `current/`, named
   * by the run and the Silver versions it was built from, so a retry writes the same name and a
   * published object never changes). An engine that writes several files per month names them
   * after it: `<key without .parquet>-<n>.parquet`.
   */
  readonly target: (table: GoldSqlTable, month: string) => ObjectRef;
}

/** What a build wrote for one month and table: its rows and the objects holding them (none when empty). */
export interface GoldTableOutput {
  readonly rows: number;
  readonly files: readonly string[];
}

/** Each written month's two tables. */
export type GoldBuildResult = ReadonlyMap<string, Readonly<Record<GoldSqlTable, GoldTableOutput>>>;

/**
 * The engine that computes Gold (docs/gold.md) from one SQL definition: DuckDB in-process on a
 * laptop (gold-duckdb.ts), Athena in the cloud (gold-athena.ts). It writes the files; the caller
 * commits them.
 */
export interface GoldEngine {
  build(request: GoldBuildRequest): Promise<GoldBuildResult>;
}

/**
 * A build's result, as both engines assemble it: for each table, `placeTable` writes the table's
 * output (the engine's COPY or UNLOAD) and returns how one month's files are put at its target;
 * a month with no rows has no files. `counted` are the engine's `(month, rows)` result rows.
 */
export async function placeOutputs(
  request: GoldBuildRequest,
  counted: readonly (readonly unknown[])[],
  placeTable: (table: GoldSqlTable) => Promise<(month: string, target: ObjectRef) => Promise<string[]>>,
): Promise<GoldBuildResult> {
  const rowsByMonth = new Map(counted.map(([month, rows]) => [String(month), Number(rows)]));
  const result = new Map(request.write.map((month) => [month, {} as Record<GoldSqlTable, GoldTableOutput>]));
  for (const table of Object.keys(GOLD_SQL_TABLES) as GoldSqlTable[]) {
    const place = await placeTable(table);
    for (const [month, outputs] of result) {
      const rows = rowsByMonth.get(month) ?? 0;
      outputs[table] = { rows, files: rows > 0 ? await place(month, request.target(table, month)) : [] };
    }
  }
  return result;
}
