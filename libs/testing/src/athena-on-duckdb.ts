import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ObjectStore } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from './parquet-scratch';

/*
 * Athena stood in for by DuckDB, for the statements the Athena Gold engine (apps/promotion
 * gold-athena.ts) sends: the DDL of its
 * temporary tables (symlink-manifest locations in the store), CTAS, SELECT, UNLOAD and DROP. The
 * query text inside CTAS and UNLOAD — the Athena twin of the Gold SQL — runs exactly as sent, so
 * a test compares its rows with the DuckDB twin's. Only the statements' envelopes are translated.
 */

interface ExternalTable {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly location: string;
  readonly partitionColumn: string | undefined;
  readonly partitions: Map<string, string>;
}

const TYPES: Record<string, string> = { string: 'VARCHAR', bigint: 'BIGINT', timestamp: 'TIMESTAMPTZ' };

export class AthenaOnDuckDb {
  /** Every statement received, in order. */
  readonly statements: string[] = [];
  /** The tables that exist now (external and CTAS). */
  readonly tables = new Set<string>();
  private readonly external = new Map<string, ExternalTable>();

  private opened: Promise<{ connection: DuckDBConnection; instance: DuckDBInstance; scratch: ParquetScratch; work: string }> | undefined;

  /**
   * DuckDB is started at the first statement; `close` stops it. With `results` (the workgroup's
   * output location), each statement's result is written there as Athena does — with the caller's
   * access — and a SELECT's rows are read back from it, as GetQueryResults does.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly results?: { readonly bucket: string; readonly prefix: string },
  ) {}

  private open() {
    this.opened ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      return { instance, connection, scratch: await openParquetScratch(), work: await mkdtemp(join(tmpdir(), 'athena-on-duckdb-')) };
    })();
    return this.opened;
  }

  async close(): Promise<void> {
    if (this.opened === undefined) return;
    const { connection, instance, scratch, work } = await this.opened;
    this.opened = undefined;
    connection.closeSync();
    instance.closeSync();
    await scratch.close();
    await rm(work, { recursive: true, force: true });
  }

  async run(sql: string): Promise<readonly (readonly (string | undefined)[])[]> {
    this.statements.push(sql);
    const { connection, scratch, work } = await this.open();
    let match: RegExpExecArray | null;
    if ((match = /^CREATE EXTERNAL TABLE (\S+) \(([\s\S]*?)\)\s*(?:PARTITIONED BY \((\w+) string\)\s*)?ROW FORMAT[\s\S]*LOCATION '([^']+)'$/.exec(sql))) {
      const [, name, columns, partitionColumn, location] = match as unknown as [string, string, string, string | undefined, string];
      const parsed = columns.split(/,(?![^(]*\))/).map((column) => {
        const [columnName, type] = column.trim().split(/\s+/) as [string, string];
        return { name: columnName, type: TYPES[type] ?? type.toUpperCase() };
      });
      this.external.set(name, { columns: parsed, location, partitionColumn, partitions: new Map() });
      this.tables.add(name);
      return [];
    }
    if ((match = /^ALTER TABLE (\S+) ADD IF NOT EXISTS([\s\S]*)$/.exec(sql))) {
      const table = this.external.get(match[1] as string);
      if (table === undefined) throw new Error(`athena-on-duckdb: no table ${match[1]}`);
      for (const [, value, location] of (match[2] as string).matchAll(/PARTITION \(\w+ = '([^']+)'\) LOCATION '([^']+)'/g)) {
        table.partitions.set(value as string, location as string);
      }
      return [];
    }
    if ((match = /^CREATE TABLE (\S+)\s+WITH \([^)]*\) AS\n([\s\S]*)$/.exec(sql))) {
      await this.defineExternalTables(connection, scratch);
      await connection.run(`CREATE TABLE ${match[1]} AS ${match[2]}`);
      this.tables.add(match[1] as string);
      return [];
    }
    if (/^SELECT\b/.test(sql)) {
      const result = await connection.runAndReadAll(sql);
      const rows = result.getRows().map((row) => row.map((value) => (value === null ? undefined : String(value))));
      if (this.results === undefined) return rows;
      const ref = { bucket: this.results.bucket, key: `${this.results.prefix}${this.statements.length}.json` };
      await this.store.put(ref, JSON.stringify(rows));
      return JSON.parse(Buffer.from((await this.store.getBytes(ref)) ?? []).toString('utf8')) as (string | undefined)[][];
    }
    if ((match = /^UNLOAD \(([\s\S]*)\)\nTO '([^']+)'\nWITH \([\s\S]*partitioned_by = ARRAY\['(\w+)'\]\)$/.exec(sql))) {
      const [, query, location, column] = match as unknown as [string, string, string, string];
      const out = await mkdtemp(join(work, 'unload-'));
      await connection.run(`COPY (${query}) TO '${out}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${column}))`);
      const { bucket, key } = parseS3(location);
      for (const path of await filesUnder(out)) {
        await this.store.put({ bucket, key: `${key}${relative(out, path).split('\\').join('/')}` }, await readFile(path));
      }
      return [];
    }
    if ((match = /^DROP TABLE IF EXISTS (\S+)$/.exec(sql))) {
      const name = match[1] as string;
      const kind = this.external.has(name) ? 'VIEW' : 'TABLE';
      await connection.run(`DROP ${kind} IF EXISTS ${name}`);
      this.external.delete(name);
      this.tables.delete(name);
      return [];
    }
    throw new Error(`athena-on-duckdb: a statement it does not know:\n${sql}`);
  }

  /** Each external table as a view over the objects its symlink manifests list, read now. */
  private async defineExternalTables(connection: DuckDBConnection, scratch: ParquetScratch): Promise<void> {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${[...this.external.keys()][0]?.split('.')[0] ?? 'gold'}`);
    for (const [name, table] of this.external) {
      const folders = table.partitionColumn === undefined ? [[undefined, table.location] as const] : [...table.partitions];
      const selects: string[] = [];
      const typed = table.columns.map((c) => `CAST(${c.name} AS ${c.type}) AS ${c.name}`).join(', ');
      for (const [value, folder] of folders) {
        const { bucket, key } = parseS3(folder);
        const manifest = await this.store.getBytes({ bucket, key: `${key}manifest` });
        const refs = Buffer.from(manifest ?? new Uint8Array())
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map(parseS3);
        if (refs.length === 0) continue;
        const paths = await scratch.copyFrom(this.store, refs);
        const partition = value === undefined ? '' : `, '${value}' AS ${table.partitionColumn}`;
        selects.push(`SELECT ${typed}${partition} FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}])`);
      }
      const empty = `SELECT ${table.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(', ')}${
        table.partitionColumn === undefined ? '' : `, CAST(NULL AS VARCHAR) AS ${table.partitionColumn}`
      } WHERE false`;
      await connection.run(`CREATE OR REPLACE VIEW ${name} AS ${selects.length > 0 ? selects.join(' UNION ALL ') : empty}`);
    }
  }
}

function parseS3(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (match === null) throw new Error(`athena-on-duckdb: not an s3:// location: ${url}`);
  return { bucket: match[1] as string, key: match[2] as string };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}
