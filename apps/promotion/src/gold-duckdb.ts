import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { InternalError, LakeStateError, LedgerLakeError, ObjectConflictError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { type GoldBuildRequest, type GoldBuildResult, type GoldEngine, placeOutputs } from './gold-engine';
import { columnList, type GoldInputColumn, GOLD_SQL_TABLES, goldRowsQuery, SEED_ROWS_COLUMNS, SILVER_ROWS_COLUMNS, sqlString } from './gold-sql';

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
    // A database file, not `:memory:`: its tables live in DuckDB's buffer pool and spill to disk,
    // so the build stays within `memoryLimit` however many rows it holds (an in-memory temp table
    // of 6M Gold rows ran out of memory at 256 MB; in a file it builds within 128 MB).
    const instance = await DuckDBInstance.create(join(work, 'gold.duckdb'), {
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
        if (body === undefined) throw new LakeStateError(`gold: published object ${ref.bucket}/${ref.key} is missing`);
        const path = join(work, `in-${copies++}.parquet`);
        await pipeline(body, createWriteStream(path));
        return path;
      };
      const files = async (refs: readonly ObjectRef[]): Promise<string> =>
        `[${(await Promise.all(refs.map(pathOf))).map(sqlString).join(', ')}]`;

      // One scan over every Silver object (a UNION of a scan per month ran out of memory where this
      // does not): a row's month is its partition's, the UTC month of its transaction time.
      const silverRefs = [...request.silver.values()].flat();
      const silver =
        silverRefs.length > 0
          ? `SELECT ${columnList(SILVER_ROWS_COLUMNS)}, strftime(tx_date AT TIME ZONE 'UTC', '%Y-%m') AS month FROM read_parquet(${await files(silverRefs)})`
          : `${emptyRelation(SILVER_ROWS_COLUMNS)}, CAST(NULL AS VARCHAR) AS month WHERE false`;
      const seed =
        request.seed.length > 0
          ? `SELECT ${columnList(SEED_ROWS_COLUMNS)} FROM read_parquet(${await files(request.seed)})`
          : `${emptyRelation(SEED_ROWS_COLUMNS)} WHERE false`;
      await connection.run(`CREATE TABLE gold AS ${goldRowsQuery({ silver, seed, months: request.months, write: request.write })}`);
      const counted = await connection.runAndReadAll('SELECT month, CAST(count(*) AS BIGINT) FROM gold GROUP BY month');

      const result = await placeOutputs(request, counted.getRows(), async (table) => {
        // One partitioned COPY per table: a folder per month holding one file (or more, when DuckDB splits it).
        const out = join(work, `out-${table}`);
        await connection.run(`
          COPY (SELECT ${GOLD_SQL_TABLES[table].columns}, month AS partition_month FROM gold)
          TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (partition_month), KV_METADATA {'ledgerlake.table': ${sqlString(table)}})`);
        return async (month, target) => {
          const folder = join(out, `partition_month=${month}`);
          const names = (await readdir(folder)).filter((name) => name.endsWith('.parquet')).sort();
          const base = target.key.replace(/\.parquet$/, '');
          const keys: string[] = [];
          for (const [n, name] of names.entries()) {
            const ref = names.length === 1 ? target : { bucket: target.bucket, key: `${base}-${n}.parquet` };
            await putOnce(store, ref, join(folder, name));
            keys.push(ref.key);
          }
          return keys;
        };
      });
      return result;
    } catch (error) {
      // The store's errors keep their kind (a transient one is retried); DuckDB's messages run over
      // several lines of advice: the first one says what happened.
      if (error instanceof LedgerLakeError) throw error;
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new InternalError(`gold: DuckDB could not build Gold ${request.months[0]} to ${request.months.at(-1)}: ${first}`, { cause: error });
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** A `SELECT` of the columns as typed NULLs (the relation of no rows, once `WHERE false` follows). */
function emptyRelation(columns: readonly GoldInputColumn[]): string {
  return `SELECT ${columns.map((column) => `CAST(NULL AS ${column.duckdb}) AS ${column.name}`).join(', ')}`;
}

/** Writes the file to `ref` unless it exists: an earlier attempt wrote the same rows under the same name. */
async function putOnce(store: ObjectStore, ref: ObjectRef, path: string): Promise<void> {
  try {
    await store.putIfAbsent(ref, createReadStream(path));
  } catch (error) {
    if (!(error instanceof ObjectConflictError && error.reason === 'exists')) throw error;
  }
}
