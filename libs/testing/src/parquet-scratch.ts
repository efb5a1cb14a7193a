import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { DuckDBInstance } from '@duckdb/node-api';

/** A temp directory of Parquet files and a DuckDB connection to query them; `close` removes both. */
export interface ParquetScratch {
  readonly dir: string;
  /** Saves `bytes` as `name` (a relative path) in the scratch directory and returns its path. */
  save(name: string, bytes: Uint8Array): string;
  /** Copies objects from a store to `<dir>/<bucket>/<key>` (so hive partitions show) and returns the paths. */
  copyFrom(store: ObjectStore, refs: readonly ObjectRef[]): Promise<string[]>;
  /** Runs SQL and returns rows as JSON-safe objects (DECIMAL, BIGINT and timestamps come back as strings). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** `DESCRIBE` of a query: column name → DuckDB type. */
  describe(sql: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Opens an in-memory DuckDB in UTC over a fresh temp directory. */
export async function openParquetScratch(): Promise<ParquetScratch> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlake-parquet-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const save = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };
  const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  return {
    dir,
    save,
    async copyFrom(store, refs) {
      return Promise.all(
        refs.map(async (ref) => {
          const bytes = await store.getBytes(ref);
          if (bytes === undefined) throw new Error(`testing: ${ref.bucket}/${ref.key} is missing`);
          return save(`${ref.bucket}/${ref.key}`, bytes);
        }),
      );
    },
    query,
    async describe(sql) {
      const rows = await query(`DESCRIBE ${sql}`);
      return Object.fromEntries(rows.map((row) => [String(row['column_name']), String(row['column_type'])]));
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
