import { randomBytes } from 'node:crypto';
import { type LakeLayout, listAll, type ObjectRef, type ObjectStore } from '@ledgerlake/storage';
import { type GoldBuildRequest, type GoldBuildResult, type GoldEngine, placeOutputs } from './gold-engine';
import { columnList, type GoldInputColumn, GOLD_SQL_TABLES, goldRowsQuery, SEED_ROWS_COLUMNS, SILVER_ROWS_COLUMNS, sqlString } from './gold-sql';

/**
 * Athena as the Gold engine sees it: one statement run to completion, its result rows as text
 * (the header row left out). The AWS SDK adapter is `athenaStatements` below.
 */
export interface AthenaStatements {
  run(sql: string): Promise<readonly (readonly (string | undefined)[])[]>;
}

/** How the cloud Gold engine runs. */
export interface AthenaGoldEngineOptions {
  readonly athena: AthenaStatements;
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  /** The Glue database the build's temporary tables are created in (they are named `gold_build_<id>_…` and dropped after). */
  readonly database: string;
  /** Random build ids; a test passes its own. */
  readonly buildId?: () => string;
}

/** The columns with their Athena types, for a table's DDL. */
function columnTypes(columns: readonly GoldInputColumn[]): string {
  return columns.map((column) => `${column.name} ${column.athena}`).join(', ');
}

/** Where a build's manifests, intermediate rows and `UNLOAD` output live: `artifacts/gold-builds/<id>/`. */
export const GOLD_BUILD_PREFIX = 'gold-builds/';

const PARQUET_SERDE = `ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
  STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat'
  OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`;

/**
 * The Athena dialect of the Gold SQL (docs/gold.md). Athena reads exactly the Silver objects of
 * the snapshot — through temporary tables whose partitions are symlink manifests the engine
 * writes, never through the catalog, which another promotion may be moving — computes `gold_rows`
 * once (CTAS into the build folder), counts them per month and `UNLOAD`s each table partitioned by
 * month; the files are then copied into each month's `current/` under names carrying the build id
 * (a retry never overwrites what an earlier attempt may have committed), and the temporary tables
 * and the build folder are removed.
 */
export class AthenaGoldEngine implements GoldEngine {
  constructor(private readonly options: AthenaGoldEngineOptions) {}

  async build(request: GoldBuildRequest): Promise<GoldBuildResult> {
    const { athena, store, layout, database } = this.options;
    const id = (this.options.buildId ?? (() => randomBytes(8).toString('hex')))();
    const bucket = layout.buckets.artifacts;
    const root = `${GOLD_BUILD_PREFIX}${id}/`;
    const s3 = (key: string) => `s3://${bucket}/${key}`;
    const table = (name: string) => `${database}.gold_build_${id}_${name}`;
    const writeManifest = async (folder: string, refs: readonly ObjectRef[]) => {
      await store.put({ bucket, key: `${folder}manifest` }, refs.map((ref) => `s3://${ref.bucket}/${ref.key}\n`).join(''));
    };
    const created: string[] = [];
    try {
      await athena.run(`CREATE EXTERNAL TABLE ${table('silver')} (${columnTypes(SILVER_ROWS_COLUMNS)})
  PARTITIONED BY (month string)
  ${PARQUET_SERDE}
  LOCATION ${sqlString(s3(`${root}silver/`))}`);
      created.push(table('silver'));
      const months = [...request.silver].filter(([, refs]) => refs.length > 0);
      for (const [month, refs] of months) await writeManifest(`${root}silver/month=${month}/`, refs);
      if (months.length > 0) {
        const partitions = months.map(([month]) => `PARTITION (month = ${sqlString(month)}) LOCATION ${sqlString(s3(`${root}silver/month=${month}/`))}`);
        await athena.run(`ALTER TABLE ${table('silver')} ADD IF NOT EXISTS\n  ${partitions.join('\n  ')}`);
      }
      await athena.run(`CREATE EXTERNAL TABLE ${table('seed')} (${columnTypes(SEED_ROWS_COLUMNS)})
  ${PARQUET_SERDE}
  LOCATION ${sqlString(s3(`${root}seed/`))}`);
      created.push(table('seed'));
      await writeManifest(`${root}seed/`, request.seed);

      const query = goldRowsQuery({
        silver: `SELECT ${columnList(SILVER_ROWS_COLUMNS)}, month FROM ${table('silver')}`,
        seed: `SELECT ${columnList(SEED_ROWS_COLUMNS)} FROM ${table('seed')}`,
        months: request.months,
        write: request.write,
      });
      await athena.run(`CREATE TABLE ${table('rows')}
WITH (format = 'PARQUET', write_compression = 'SNAPPY', external_location = ${sqlString(s3(`${root}rows/`))}) AS
${query}`);
      created.push(table('rows'));
      const counted = await athena.run(`SELECT month, count(*) FROM ${table('rows')} GROUP BY month`);

      return await placeOutputs(request, counted, async (name) => {
        const { columns, partitionColumn } = GOLD_SQL_TABLES[name];
        const unloaded = `${root}unload/${name}/`;
        await athena.run(`UNLOAD (SELECT ${columns}, month AS ${partitionColumn} FROM ${table('rows')})
TO ${sqlString(s3(unloaded))}
WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY[${sqlString(partitionColumn)}])`);
        return async (month, target) => {
          const base = target.key.replace(/\.parquet$/, '');
          const keys: string[] = [];
          for await (const object of listAll(store, bucket, `${unloaded}${partitionColumn}=${month}/`)) {
            const key = `${base}-${id}-${String(keys.length).padStart(5, '0')}.parquet`;
            await store.copy({ bucket, key: object.key }, { bucket: target.bucket, key });
            keys.push(key);
          }
          return keys;
        };
      });
    } finally {
      // Best effort: a table or object left behind by a failing cleanup is never read again (every
      // build has its own id) and the bucket expires `gold-builds/` after a day (infra/serverless.yml).
      // Dropping an external table leaves its files: the build folder is removed after.
      await Promise.allSettled(created.reverse().map((name) => athena.run(`DROP TABLE IF EXISTS ${name}`)));
      try {
        for await (const object of listAll(store, bucket, root)) await store.delete({ bucket, key: object.key });
      } catch {
        // See above.
      }
    }
  }
}
