import { LakeStateError, RunIdSchema, YearMonthSchema } from '@ledgerlake/domain';
import {
  listPrefixes,
  type ObjectRef,
  type ObjectStore,
  PUBLISHED_TABLE_NAME_PATTERN,
  type PublishedTableLayout,
  type SilverLayout,
  type YearMonth,
  readVersionedJson,
  type VersionedJson,
} from '@ledgerlake/storage';
import { z } from 'zod';
import { ObjectRefSchema, PublishActionSchema } from '@ledgerlake/contract';

/*
 * What a published partition is (docs/contract/publishing.md, "Promotion"). The reader's contract:
 *
 *   The rows of a published partition are exactly those of the Parquet objects its `_LATEST.json`
 *   lists in `files` (all under `current/`), equally those its symlink `manifest` lists. Nothing
 *   else is read: not a listing of `current/` (objects of a promotion still in progress, or of
 *   versions replaced since, sit there too), never a `run_id=` folder.
 *
 * `_LATEST.json` is the commit point: written last, with compare-and-swap on its ETag, after every
 * object it names exists. Each committed version is also kept, immutable, as `_versions/v=N.json`
 * (rollback and audit). The catalogs (Glue, the lake's own) register a version's manifest folder.
 */

/** One run's contribution to a published partition. */
export const PublishedRunSchema = z.object({
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  promoted_at: z.iso.datetime(),
  rows: z.number().int().nonnegative(),
  /** Keys (in the table's bucket) of the run's published objects, under `current/`. */
  files: z.array(z.string().min(1)),
});
/** One run's contribution to a published partition. */
export type PublishedRun = z.infer<typeof PublishedRunSchema>;


/**
 * Who asked for a version and why: a person's request (a rollback, a promotion by hand). Versions
 * the pipeline commits on its own (a run's promotion, Gold) have none; neither have versions
 * written before it was recorded.
 */
export const VersionRequestSchema = z.object({
  by: z.string().trim().min(1),
  reason: z.string().trim().min(1),
});
/** Who asked for a version and why. */
export type VersionRequest = z.infer<typeof VersionRequestSchema>;

/** `_LATEST.json` (and each `_versions/v=N.json`): one committed version of a published partition. */
export const PublishedPartitionSchema = z.object({
  table: z.string().regex(PUBLISHED_TABLE_NAME_PATTERN, 'expected silver.<name> or gold.<name>'),
  /** The partition's month, `YYYY-MM`. */
  partition: YearMonthSchema,
  /** 1 for the first version; +1 per commit. */
  version: z.number().int().positive(),
  action: PublishActionSchema,
  /** The run that committed this version. */
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  /** When the version was committed. */
  promoted_at: z.iso.datetime(),
  /** Who asked for it and why, when a person did. */
  requested: VersionRequestSchema.optional(),
  /** With `rollback`: the version restored. */
  restored_version: z.number().int().positive().optional(),
  /** With `rollback`: the run whose promotion committed the version restored (absent in rollbacks recorded before it was). */
  restored_run_id: RunIdSchema.optional(),
  /** Rows of the committing run condemned at the commit, their keys published first by another run (`append` only). */
  late_condemned_rows: z.number().int().positive().optional(),
  /** The runs whose rows are published, oldest first. */
  runs: z.array(PublishedRunSchema),
  /** Every published object's key: the runs' `files`, in order. */
  files: z.array(z.string().min(1)),
  counts: z.object({ rows: z.number().int().nonnegative(), files: z.number().int().nonnegative() }),
  /** The symlink manifest of this version (what the catalog's partition location holds). */
  manifest: ObjectRefSchema,
  /** Gold only: the Silver partition versions (`YYYY-MM` → version) the rows were computed from. */
  built_from: z.record(YearMonthSchema, z.number().int().positive()).optional(),
});
/** One committed version of a published partition. */
export type PublishedPartition = z.infer<typeof PublishedPartitionSchema>;

/** The `YYYY-MM` name of a month. */
export function monthName(month: YearMonth): string {
  return `${String(month.year).padStart(4, '0')}-${String(month.month).padStart(2, '0')}`;
}

/** The month of a `YYYY-MM` name. */
export function parseMonthName(name: string): YearMonth {
  const parsed = YearMonthSchema.parse(name);
  return { year: Number(parsed.slice(0, 4)), month: Number(parsed.slice(5, 7)) };
}

/** A partition's current version as `_LATEST.json` says, with its ETag; `undefined` when never published. */
export function readLatest(
  store: ObjectStore,
  table: PublishedTableLayout,
  month: YearMonth,
): Promise<VersionedJson<PublishedPartition> | undefined> {
  return readVersionedJson(store, table.latest(month), PublishedPartitionSchema, 'published partition');
}

/** The Silver months that have a partition folder (published or not yet), ascending. */
export async function listSilverMonths(store: ObjectStore, silver: SilverLayout): Promise<YearMonth[]> {
  const { bucket, prefix } = silver.tablePrefix();
  const months: YearMonth[] = [];
  for (const yearPrefix of await listPrefixes(store, bucket, prefix)) {
    for (const monthPrefix of await listPrefixes(store, bucket, yearPrefix)) {
      const month = silver.partitionOf(monthPrefix);
      if (month !== undefined) months.push(month);
    }
  }
  return months.sort((a, b) => a.year - b.year || a.month - b.month);
}

/** One kept version of a partition; `undefined` when it was never committed. */
export async function readVersion(
  store: ObjectStore,
  table: PublishedTableLayout,
  month: YearMonth,
  version: number,
): Promise<PublishedPartition | undefined> {
  return (await readVersionedJson(store, table.version(month, version), PublishedPartitionSchema, 'published version'))?.value;
}

/** The symlink manifest body: one `s3://bucket/key` line per object, the format Athena's SymlinkTextInputFormat reads. */
export function symlinkManifest(bucket: string, keys: readonly string[]): string {
  return keys.map((key) => `s3://${bucket}/${key}\n`).join('');
}

/** The objects a symlink manifest lists. */
export function parseSymlinkManifest(body: string, where: ObjectRef): ObjectRef[] {
  return body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(line);
      if (!match) throw new LakeStateError(`pipeline: ${where.bucket}/${where.key} has a line that is not s3://bucket/key: ${JSON.stringify(line)}`);
      return { bucket: match[1] as string, key: match[2] as string };
    });
}
