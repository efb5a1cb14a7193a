import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import YAML from 'yaml';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * The Athena DDL (sql/athena/ddl) must describe the Parquet the writers really produce, column
 * for column and type for type, and agree with the Glue tables infra/serverless.yml deploys; the
 * local engine's partition columns must have the DDL's types.
 */

const DDL_DIR = join(REPO, 'sql/athena/ddl');
const APRIL_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');

type Column = readonly [name: string, type: string];

interface TableDdl {
  /** The table's name as `ledgerlake query` knows it (`silver.transactions`). */
  readonly table: string;
  /** Its schema in the cloud: the stage's Glue database (`silver_${stage}`). */
  readonly schema: string;
  readonly columns: Column[];
  readonly partitions: Column[];
  readonly location: string;
}

/** A stage's schema (`silver_${stage}`) → the local engine's (`silver`). */
const localSchema = (schema: string): string => schema.replace(/_\$\{stage\}$/, '');

/** The tables of the DDL files, by their local SQL name: schema, columns and partition columns (name, Athena type). */
async function readDdl(): Promise<Map<string, TableDdl>> {
  const tables = new Map<string, TableDdl>();
  for (const file of (await readdir(DDL_DIR)).filter((name) => name.endsWith('.sql')).sort()) {
    const text = (await readFile(join(DDL_DIR, file), 'utf8')).replace(/--[^\n]*/g, '');
    for (const match of text.matchAll(
      /CREATE EXTERNAL TABLE IF NOT EXISTS ([\w.`${}]+) \(([^;]*?)\)\s*PARTITIONED BY \(([^)]*)\)[^;]*?LOCATION '([^']+)'/g,
    )) {
      const [schema = '', name = ''] = (match[1] as string).replaceAll('`', '').split('.');
      const table = `${localSchema(schema)}.${name}`;
      tables.set(table, {
        table,
        schema,
        columns: parseColumns(match[2] as string),
        partitions: parseColumns(match[3] as string),
        location: match[4] as string,
      });
    }
  }
  return tables;
}

function parseColumns(body: string): Column[] {
  return body
    .split(/,\s*\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^`?(\w+)`?\s+([a-z]+(?:\(\d+,\d+\))?)$/.exec(line);
      if (!match) throw new Error(`DDL column not understood: ${JSON.stringify(line)}`);
      return [match[1] as string, match[2] as string] as const;
    });
}

/** The Athena type of a DuckDB type as DuckDB reports a Parquet column. */
function athenaType(duckdb: string): string {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckdb);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const known: Record<string, string> = {
    BIGINT: 'bigint',
    INTEGER: 'int',
    SMALLINT: 'smallint',
    VARCHAR: 'string',
    BOOLEAN: 'boolean',
    DOUBLE: 'double',
    DATE: 'date',
    // Parquet TIMESTAMP(isAdjustedToUTC=true): an instant, which Athena's timestamp holds in UTC.
    'TIMESTAMP WITH TIME ZONE': 'timestamp',
  };
  const type = known[duckdb];
  if (type === undefined) throw new Error(`no Athena type for DuckDB ${duckdb}`);
  return type;
}

async function firstParquet(dir: string, pattern: RegExp): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((name) => pattern.test(name)).sort();
  if (files[0] === undefined) throw new Error(`no Parquet matching ${pattern} under ${dir}`);
  return join(dir, files[0]);
}

describe('the Athena DDL', () => {
  const dirs = useTempLake('ledgerlake-ddl-');
  let scratch: ParquetScratch;
  beforeEach(async () => {
    scratch = await openParquetScratch();
  });
  afterEach(async () => {
    await scratch.close();
  });

  /** Q1 publishes Silver and Gold; the April sample is blocked but leaves quarantined and condemned rows. */
  async function writeEveryTable(): Promise<Record<string, string>> {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);
    expect((await runCli(['ingest', APRIL_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(3);
    const lake = dirs.lake;
    return {
      'silver.transactions': await firstParquet(join(lake, 'silver'), /\/current\/.*\.parquet$/),
      'gold.account_balances': await firstParquet(join(lake, 'gold'), /^finance\/account_balances\/.*\/current\/.*\.parquet$/),
      'gold.monthly_reports': await firstParquet(join(lake, 'gold'), /^finance\/monthly_reports\/.*\/current\/.*\.parquet$/),
      'quarantine.rows': await firstParquet(join(lake, 'quarantine'), /^mortgages\/transactions\/ingest_date=.*\.parquet$/),
      'quarantine.condemned': await firstParquet(join(lake, 'quarantine'), /^condemned\/mortgages\/.*\.parquet$/),
    };
  }

  it('declares exactly the tables of docs/contract/tables.md', async () => {
    const ddl = await readDdl();

    expect([...ddl.keys()].sort()).toEqual([
      'gold.account_balances',
      'gold.monthly_reports',
      'quarantine.condemned',
      'quarantine.rows',
      'silver.transactions',
    ]);
  });

  it('has the columns and types of the Parquet the writers produce, for every table', async () => {
    const files = await writeEveryTable();
    const ddl = await readDdl();

    for (const [table, file] of Object.entries(files)) {
      const described = await scratch.describe(`SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
      const actual = Object.entries(described).map(([name, type]) => [name, athenaType(type)]);
      expect({ table, columns: actual }).toEqual({ table, columns: ddl.get(table)?.columns });
    }
  });

  it('gives the partition columns the types the local engine gives them', async () => {
    await writeEveryTable();
    const ddl = await readDdl();

    for (const [table, { partitions, columns }] of ddl) {
      const described = await runCli(['query', `DESCRIBE ${table}`, '--json', '--lake', dirs.lake], dirs.work);
      const rows = JSON.parse(described.stdout) as { column_name: string; column_type: string }[];
      const local = rows.map((row) => [row.column_name, athenaType(row.column_type)]);
      expect({ table, columns: local }).toEqual({ table, columns: [...columns, ...partitions] });
    }
  });

  it('agrees with the Glue tables infra/serverless.yml deploys: names, columns, partition keys, locations', async () => {
    const ddl = await readDdl();
    const infra = YAML.parse(await readFile(join(REPO, 'infra/serverless.yml'), 'utf8'), { maxAliasCount: -1 }) as {
      custom: Record<string, unknown>;
      resources: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    };
    const resources = infra.resources.Resources;
    const glue = new Map<string, TableDdl>();
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::Glue::Table') continue;
      const props = resource.Properties as {
        DatabaseName: { Ref: string };
        TableInput: {
          Name: string;
          PartitionKeys: { Name: string; Type: string }[];
          StorageDescriptor: { Location: string; Columns: { Name: string; Type: string }[] };
        };
      };
      // infra's ${self:custom.…} variables, resolved the way the DDL writes the stage: ${stage}.
      const resolveInfra = (text: string): string =>
        text
          .replace(/\$\{self:custom\.(\w+)(?:\.(\w+))?\}/g, (_, key: string, sub?: string) => {
            const value = infra.custom[key];
            return String(sub === undefined ? value : (value as Record<string, unknown>)[sub]);
          })
          .replaceAll('${sls:stage}', '${stage}');
      const schema = resolveInfra((resources[props.DatabaseName.Ref]?.Properties as { DatabaseInput: { Name: string } }).DatabaseInput.Name);
      const input = props.TableInput;
      const table = `${localSchema(schema)}.${input.Name}`;
      const location = resolveInfra(input.StorageDescriptor.Location);
      glue.set(table, {
        table,
        schema,
        columns: input.StorageDescriptor.Columns.map((column) => [column.Name, column.Type] as const),
        partitions: input.PartitionKeys.map((column) => [column.Name, column.Type] as const),
        location,
      });
    }

    expect([...glue.keys()].sort()).toEqual([...ddl.keys()].sort());
    for (const [table, declared] of ddl) expect(glue.get(table)).toEqual(declared);
  });
});
