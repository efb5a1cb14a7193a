import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { ObjectConflictError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import type { GoldBuildRequest, GoldBuildResult, GoldEngine, GoldTableOutput } from './gold-engine';
import { buildMonthsSql, GOLD_ROWS_SQL, GOLD_SQL_TABLES, type GoldSqlTable, sqlString } from './gold-sql';

/** How the in-process DuckDB Gold engine runs. */
export interface DuckDbGoldEngineOptions {
  readonly store: ObjectStore;
  /**
   * The local file of an object, when the store keeps its objects as files (the filesystem lake):
   * DuckDB reads it in place. Otherwise (`undefined`) the object is copied into the work folder first.
   */
  readonly localPath?: (ref: ObjectRef) => string | undefined;
  /** The folder for a build's spill files, copies and outputs (a fresh subfolder per build, removed after). */
  readonly workDir: string;
  /** DuckDB's `memory_limit`, e.g. `512MB`: past it, DuckDB spills to the work folder. */
  readonly memoryLimit: string;
  /** DuckDB's worker threads. */
  readonly threads: number;
}

/** The DuckDB dialect of the Gold SQL (docs/gold.md): the inputs are Parquet files, the outputs `COPY … TO` files. */
export class DuckDbGoldEngine implements GoldEngine {
  constructor(private readonly options: DuckDbGoldEngineOptions) {}

  async build(request: GoldBuildRequest): Promise<GoldBuildResult> {
    const { store, workDir, memoryLimit, threads } = this.options;
    await mkdir(workDir, { recursive: true });
    const work = await mkdtemp(join(workDir, 'gold-'));
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(threads),
      memory_limit: memoryLimit,
      temp_directory: join(work, 'spill'),
      preserve_insertion_order: 'false',
    });
    const connection = await instance.connect();
    try {
      let copies = 0;
      const pathOf = async (ref: ObjectRef): Promise<string> => {
        const local = this.options.localPath?.(ref);
        if (local !== undefined) return local;
        const body = await store.getStream(ref);
        if (body === undefined) throw new Error(`gold: published object ${ref.bucket}/${ref.key} is missing`);
        const path = join(work, `in-${copies++}.parquet`);
        await pipeline(body, createWriteStream(path));
        return path;
      };
      const files = async (refs: readonly ObjectRef[]): Promise<string> =>
        `[${(await Promise.all(refs.map(pathOf))).map(sqlString).join(', ')}]`;

      const silver: string[] = [];
      for (const [month, refs] of request.silver) {
        if (refs.length === 0) continue;
        silver.push(`SELECT account_id, currency, amount, tx_date, ${sqlString(month)} AS month FROM read_parquet(${await files(refs)})`);
      }
      const silverSql =
        silver.length > 0
          ? silver.join('\n    UNION ALL\n    ')
          : 'SELECT CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS DECIMAL(16,2)) AS amount, CAST(NULL AS TIMESTAMPTZ) AS tx_date, CAST(NULL AS VARCHAR) AS month WHERE false';
      const seedSql =
        request.seed.length > 0
          ? `SELECT account_id, currency, balance, tx_count, last_tx_date FROM read_parquet(${await files(request.seed)})`
          : 'SELECT CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS DECIMAL(38,2)) AS balance, CAST(NULL AS BIGINT) AS tx_count, CAST(NULL AS TIMESTAMPTZ) AS last_tx_date WHERE false';
      const write = request.write.map(sqlString).join(', ');
      // Sorted by month first: each month's COPY below reads only its own row groups.
      await connection.run(`
        CREATE TEMP TABLE gold AS
        WITH silver_rows AS (${silverSql}),
        seed_rows AS (${seedSql}),
        ${buildMonthsSql(request.months)},
        ${GOLD_ROWS_SQL}
        SELECT * FROM gold_rows WHERE month IN (${write})
        ORDER BY month, account_id, currency`);
      const counted = await connection.runAndReadAll('SELECT month, CAST(count(*) AS BIGINT) FROM gold GROUP BY month');
      const rowsByMonth = new Map(counted.getRows().map(([month, rows]) => [String(month), Number(rows)]));

      const result = new Map<string, Record<GoldSqlTable, GoldTableOutput>>();
      for (const month of request.write) {
        const rows = rowsByMonth.get(month) ?? 0;
        const outputs = {} as Record<GoldSqlTable, GoldTableOutput>;
        for (const table of Object.keys(GOLD_SQL_TABLES) as GoldSqlTable[]) {
          if (rows === 0) {
            outputs[table] = { rows, files: [] };
            continue;
          }
          const path = join(work, `out-${month}-${table}.parquet`);
          const metadata = Object.entries(request.metadata(table, month))
            .map(([key, value]) => `${sqlString(key)}: ${sqlString(value)}`)
            .join(', ');
          await connection.run(`
            COPY (SELECT ${GOLD_SQL_TABLES[table].columns} FROM gold WHERE month = ${sqlString(month)} ORDER BY account_id, currency)
            TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy, KV_METADATA {${metadata}})`);
          const target = request.target(table, month);
          await putOnce(store, target, path);
          outputs[table] = { rows, files: [target.key] };
        }
        result.set(month, outputs);
      }
      return result;
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** Writes the file to `ref` unless it exists: an earlier attempt wrote the same rows under the same name. */
async function putOnce(store: ObjectStore, ref: ObjectRef, path: string): Promise<void> {
  try {
    await store.putIfAbsent(ref, createReadStream(path));
  } catch (error) {
    if (!(error instanceof ObjectConflictError && error.reason === 'exists')) throw error;
  }
}
