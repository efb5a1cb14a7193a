import { DATASETS, type DatasetRegistry, type DatasetSpec, RunIdSchema, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import type { ObjectRef } from './object-store';

/*
 * The one module that knows the lake's key layout (docs/contract/layout.md, "Key layout"). The first segment of each
 * docs/contract/layout.md pattern is the bucket; `condemned/` is a key prefix inside the quarantine bucket.
 * Everything else builds keys through these functions and reads them back with the parsers.
 * Bronze, Silver, Quarantine and Condemned keys are a dataset's (`<dataset path>/...`, its
 * `DatasetSpec`): a layout is bound to one dataset, and `forDataset` gives the same lake's layout
 * of another. Gold, the artifacts and the control objects are the lake's, the same for every dataset.
 */

/** The five logical buckets of the lake. */
export const LAKE_BUCKET_NAMES = ['bronze', 'silver', 'gold', 'quarantine', 'artifacts'] as const;

/** A logical bucket name. */
export type LakeBucketName = (typeof LAKE_BUCKET_NAMES)[number];

/** Physical bucket names of the five logical buckets. */
export interface LakeBuckets {
  readonly bronze: string;
  readonly silver: string;
  readonly gold: string;
  readonly quarantine: string;
  readonly artifacts: string;
}

/** A key prefix (ending in `/`) in a bucket: what to list. */
export interface PrefixRef {
  readonly bucket: string;
  readonly prefix: string;
}

/** A calendar month; `month` is 1..12. */
export interface YearMonth {
  readonly year: number;
  readonly month: number;
}


/** Bronze: landed source files, immutable (`ingest_date=YYYY-MM-DD/<file>`). */
export interface BronzeLayout {
  /** Everything in Bronze. */
  tablePrefix(): PrefixRef;
  /** The files landed on one day. */
  datePrefix(ingestDate: string): PrefixRef;
  /** One landed file. */
  file(ingestDate: string, fileName: string): ObjectRef;
  /** The file a retry run re-submits its rows in (`retry-<run id>.csv`), landed on the day its rows were claimed. */
  retryFile(ingestDate: string, retryRunId: string): ObjectRef;
  /** The one input of a backfill run (`backfill-<YYYY-MM>-<run id>.csv[.gz]`), landed on the day it starts. */
  backfillFile(ingestDate: string, month: string, backfillRunId: string, gzip: boolean): ObjectRef;
}

/**
 * The names of the Bronze files the runbook lands itself (a retry's rows, a backfill's input): the
 * run that lands one starts it, so the triggers (the Object Created rule's starter, the daily sweep,
 * `ledgerlake watch`) never start an ingest run of one. A person's file may not take such a name.
 */
export const RUNBOOK_FILE_NAME_PATTERN =
  /^(?:retry-\d{8}T\d{6}Z(?:-[a-z0-9]{1,12})?\.csv|backfill-\d{4}-(?:0[1-9]|1[0-2])-backfill-\d{8}T\d{6}Z(?:-[a-z0-9]{1,12})?\.csv(?:\.gz)?)$/;

/** Whether a landed file's name is one the runbook gives its own files (`RUNBOOK_FILE_NAME_PATTERN`). */
export function isRunbookFileName(fileName: string): boolean {
  return RUNBOOK_FILE_NAME_PATTERN.test(fileName);
}

/** A table published by run folders, a `current/` folder and a `_LATEST.json` commit point per partition. */
export interface PublishedTableLayout {
  /** Everything in the table (all partitions). */
  tablePrefix(): PrefixRef;
  /** One year/month partition. */
  partitionPrefix(month: YearMonth): PrefixRef;
  /** The partition column values of a month in table order, as Glue and hive paths name them (Silver `year, month, schema_v`; Gold the month). */
  partitionValues(month: YearMonth): string[];
  /** A run's output for the partition (`run_id=<run_id>/`). */
  runPrefix(month: YearMonth, runId: string): PrefixRef;
  /** One Parquet part of a run's output (`part-NNNNN.parquet`). */
  runPart(month: YearMonth, runId: string, part: number): ObjectRef;
  /** The published objects of the partition (`current/`). */
  currentPrefix(month: YearMonth): PrefixRef;
  /** One published object; `name` is a relative path under `current/`. */
  currentObject(month: YearMonth, name: string): ObjectRef;
  /** The partition's commit point (`_LATEST.json`). */
  latest(month: YearMonth): ObjectRef;
  /** Every committed version of the partition (`_versions/`). */
  versionsPrefix(month: YearMonth): PrefixRef;
  /** The immutable copy of one committed version (`_versions/v=NNNNNNNNN.json`), kept for rollback and audit. */
  version(month: YearMonth, version: number): ObjectRef;
  /**
   * The folder holding the symlink manifest of one version as `runId` committed it
   * (`_manifests/v=NNNNNNNNN/run_id=<run_id>/`): the location the catalog registers.
   */
  manifestPrefix(month: YearMonth, version: number, runId: string): PrefixRef;
  /** The symlink manifest in it (`manifest`): one `s3://bucket/key` per published Parquet object. */
  manifest(month: YearMonth, version: number, runId: string): ObjectRef;
}

/** Silver: a published table whose run folders also hold a `_SUCCESS` marker. */
export interface SilverLayout extends PublishedTableLayout {
  /** The year/month partition of one of this table's keys or prefixes, `undefined` if it is not under one (`parseSilverPartition`). */
  partitionOf(key: string): YearMonth | undefined;
  /** The marker a run writes last in its folder (`_SUCCESS`). */
  runSuccess(month: YearMonth, runId: string): ObjectRef;
}

/** Quarantined or condemned rows: per ingest day and run. */
export interface RejectedRowsLayout {
  /** Everything of this kind. */
  tablePrefix(): PrefixRef;
  /** The rows of one ingest day. */
  datePrefix(ingestDate: string): PrefixRef;
  /** The rows one run rejected from files of one ingest day. */
  runPrefix(ingestDate: string, runId: string): PrefixRef;
  /** One Parquet part of them (`part-NNNNN.parquet`). */
  runPart(ingestDate: string, runId: string, part: number): ObjectRef;
  /** Another Parquet object of them, named `part-<name>.parquet` (readers take every `part-*.parquet`), e.g. the rows promotion condemns late. */
  runObject(ingestDate: string, runId: string, name: string): ObjectRef;
}

/** The schema version of the Gold tables (`finance/<table>/schema_v=v1/`), their own (docs/gold.md). */
export const GOLD_SCHEMA_VERSION = 'v1';

/** The Gold tables. */
export interface GoldLayout {
  /** `finance/account_balances/schema_v=v1/as_of_month=YYYY-MM/`. */
  readonly accountBalances: PublishedTableLayout;
  /** `finance/monthly_reports/schema_v=v1/month=YYYY-MM/`. */
  readonly monthlyReports: PublishedTableLayout;
}

/** Run records in the artifacts bucket (`runs/<run_id>/`: manifest, report, record, logs) and each run's work area (`work/<run_id>/`). */
export interface ArtifactsLayout {
  /** All runs. */
  runsPrefix(): PrefixRef;
  /** Everything of one run. */
  runPrefix(runId: string): PrefixRef;
  /** The run's manifest (`manifest.json`). */
  manifest(runId: string): ObjectRef;
  /** The run's human report (`report.html`). */
  report(runId: string): ObjectRef;
  /** What the report shows, as JSON (`report.json`): a rebuild takes the run's timeline and links from it. */
  reportData(runId: string): ObjectRef;
  /** The index of the runs' reports (`runs/index.html`), and the entries it is rebuilt from (`runs/index.json`). */
  reportIndex(): { readonly page: ObjectRef; readonly entries: ObjectRef };
  /** The run's record: its status (FAILED now; later PASSED, BLOCKED, PUBLISHED) and what is known of it (`run.json`). */
  runRecord(runId: string): ObjectRef;
  /** The run's Powertools log lines and EMF records (`logs.jsonl`). */
  logs(runId: string): ObjectRef;
  /**
   * The run's scratch area for intermediate row data passed between functions (`work/<run_id>/`):
   * its own top-level prefix, so that a lifecycle rule can expire it (it holds full row copies).
   */
  workPrefix(runId: string): PrefixRef;
  /** One scratch object; `name` is a relative path under `work/<run_id>/`. */
  workObject(runId: string, name: string): ObjectRef;
}

/** Control objects in the artifacts bucket. */
export interface ControlLayout {
  /** All processed-file ledger entries. */
  processedFilesPrefix(): PrefixRef;
  /** The ledger entry of a Bronze file with this content SHA-256 (`ledger/processed-files/<sha256>.json`). */
  processedFile(sha256: string): ObjectRef;
  /** The circuit breaker state (`control/circuit-breaker.json`). */
  circuitBreaker(): ObjectRef;
  /** All per-run breaker window statistics. */
  breakerWindowPrefix(): PrefixRef;
  /** A run's error statistics for the breaker window (`control/breaker-window/<run_id>.json`). */
  breakerWindow(runId: string): ObjectRef;
  /** All records of alerts already posted. */
  postedAlertsPrefix(): PrefixRef;
  /** The record that an incident's alert was posted (`alerts/posted/<incident-id>.json`). */
  postedAlert(incidentId: string): ObjectRef;
  /** An alert's whole text as a laptop without a Slack webhook keeps it (`alerts/shown/<name>.txt`; the command prints one line naming it). */
  shownAlert(name: string): ObjectRef;
  /** The whole quarantine history index (`index/quarantine-hashes/`), one `month=` folder per month. */
  quarantineIndexRoot(): PrefixRef;
  /** One month of the quarantine history index (`index/quarantine-hashes/month=<YYYY-MM|unknown>/`). */
  quarantineIndexPrefix(month: string): PrefixRef;
  /** One run's quarantined row hashes of one month (`.../month=<m>/run_id=<run_id>.txt`). */
  quarantineIndex(month: string, runId: string): ObjectRef;
  /** The lake's own catalog of one published table (`catalog/<table>/`), the local stand-in for Glue. */
  catalogTablePrefix(table: PublishedTableName): PrefixRef;
  /** One partition of it (`catalog/<table>/<YYYY-MM>.json`). */
  catalogPartition(table: PublishedTableName, month: YearMonth): ObjectRef;
  /** The claim that a quarantined row is retried as attempt `attempt` (`control/retries/claims/<row_hash>/attempt=<n>.json`). */
  retryClaim(rowHash: string, attempt: number): ObjectRef;
  /** All retry records. */
  retryRecordsPrefix(): PrefixRef;
  /** What one retry run re-submits, and why (`control/retries/runs/<run_id>.json`). */
  retryRecord(retryRunId: string): ObjectRef;
  /** All decisions on condemned rows. */
  condemnedDecisionsPrefix(): PrefixRef;
  /** One recorded approval or rejection of condemned rows (`control/condemned/decisions/<decision_id>.json`). */
  condemnedDecision(decisionId: string): ObjectRef;
  /** The decision taken on one condemned row of a run (`control/condemned/rows/run_id=<run_id>/<row_hash>.json`). */
  condemnedRowDecision(runId: string, rowHash: string): ObjectRef;
  /** Every decision on one run's condemned rows (`control/condemned/rows/run_id=<run_id>/`). */
  condemnedRowDecisionsPrefix(runId: string): PrefixRef;
  /** Every Bronze object a person marked ignored. */
  ignoredBronzePrefix(): PrefixRef;
  /**
   * The record that a person marked a Bronze object (a key of the Bronze bucket) ignored: no trigger,
   * sweep or ingest runs it (`control/bronze/ignored/<bronze key>.json`).
   */
  ignoredBronzeObject(bronzeKey: string): ObjectRef;
  /** Every promotion begun and not yet complete. */
  promotionsPrefix(): PrefixRef;
  /** The intent of a run's promotion, written before its first commit, deleted once complete (`control/promotions/<run_id>.json`). */
  promotionIntent(runId: string): ObjectRef;
}

/** The Gold tables published through `current/` and `_LATEST.json`, by their SQL names (docs/contract/tables.md, "Table names"). */
export const GOLD_TABLE_NAMES = ['gold.account_balances', 'gold.monthly_reports'] as const;

/**
 * The tables published through `current/` and `_LATEST.json` of the shipped datasets, by their SQL
 * names: each dataset's Silver table (`DatasetSpec.silver.table`), then Gold.
 */
export const PUBLISHED_TABLE_NAMES: readonly string[] = [...[...DATASETS.values()].map((spec) => spec.silver.table), ...GOLD_TABLE_NAMES];

/** A published table's SQL name: a dataset's `silver.<name>`, or a Gold table. */
export type PublishedTableName = string;

/** The shape of a published table's SQL name, `silver.<name>` or `gold.<name>`. */
export const PUBLISHED_TABLE_NAME_PATTERN = /^(?:silver|gold)\.[a-z][a-z0-9_]*$/;

/** Whether `table` is the SQL name of a Silver table (`silver.<name>`: partitioned by year, month and schema version). */
export function isSilverTable(table: PublishedTableName): boolean {
  return SILVER_TABLE_PATTERN.test(table);
}

/** Every key of the lake, bound to physical bucket names, with one dataset's keys. */
export interface LakeLayout {
  readonly buckets: LakeBuckets;
  /** The dataset whose Bronze, Silver, Quarantine and Condemned keys this layout builds. */
  readonly dataset: DatasetSpec;
  /** The same lake's layout of another dataset (the same object for the same spec). */
  forDataset(dataset: DatasetSpec): LakeLayout;
  /** Bronze bucket, `<dataset>/ingest_date=...`. */
  readonly bronze: BronzeLayout;
  /** Silver bucket, `<dataset>/year=.../month=.../schema_v=<version>/`. */
  readonly silver: SilverLayout;
  /** Quarantine bucket, `<dataset>/...`. */
  readonly quarantine: RejectedRowsLayout;
  /** Quarantine bucket, `condemned/<dataset>/...`. */
  readonly condemned: RejectedRowsLayout;
  readonly gold: GoldLayout;
  readonly artifacts: ArtifactsLayout;
  readonly control: ControlLayout;
}

const SILVER_TABLE_PATTERN = /^silver\.[a-z][a-z0-9_]*$/;
const MAX_PART = 99_999;
const MAX_VERSION = 999_999_999;
const STAGE_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const LOCAL_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const INCIDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const INGEST_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const INDEX_MONTH_PATTERN = /^(\d{4}-(0[1-9]|1[0-2])|unknown)$/;

function invalid(what: string, value: unknown, expected: string): never {
  throw new RangeError(`layout: invalid ${what} ${JSON.stringify(value)} (expected ${expected})`);
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function isYearMonth(year: number, month: number): boolean {
  return Number.isInteger(year) && year >= 1 && year <= 9999 && Number.isInteger(month) && month >= 1 && month <= 12;
}

function isIngestDate(value: string): boolean {
  const match = INGEST_DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isYearMonth(year, month) && day >= 1 && day <= daysIn(year, month);
}

function isRunId(value: string): boolean {
  return RunIdSchema.safeParse(value).success;
}

function checkIndexMonth(month: string): string {
  if (typeof month !== 'string' || !INDEX_MONTH_PATTERN.test(month)) invalid('month', month, 'YYYY-MM or unknown');
  return month;
}

function checkMonthText(month: string): string {
  if (typeof month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) invalid('month', month, 'YYYY-MM');
  return month;
}

/** A run id of the kind a runbook file is named with: a retry's is an ingest-kind id, a backfill's a backfill id. */
function checkRunIdKind(runId: string, backfill: boolean): string {
  checkRunId(runId);
  if (runId.startsWith('backfill-') !== backfill) invalid('run id', runId, backfill ? 'a backfill run id' : 'a retry run id (no "backfill-" prefix)');
  return runId;
}

function checkRunId(runId: string): string {
  if (typeof runId !== 'string' || !isRunId(runId)) {
    invalid('run id', runId, 'YYYYMMDDTHHMMSSZ, optionally prefixed "backfill-" and suffixed "-<1-12 of a-z0-9>"');
  }
  return runId;
}

function checkIngestDate(ingestDate: string): string {
  if (typeof ingestDate !== 'string' || !isIngestDate(ingestDate)) {
    invalid('ingest date', ingestDate, 'a calendar date YYYY-MM-DD');
  }
  return ingestDate;
}

function checkMonth(month: YearMonth): { yyyy: string; mm: string } {
  if (typeof month !== 'object' || month === null || !isYearMonth(month.year, month.month)) {
    invalid('year/month', month, 'year 1..9999 and month 1..12, integers');
  }
  return { yyyy: String(month.year).padStart(4, '0'), mm: String(month.month).padStart(2, '0') };
}

function partFile(part: number): string {
  if (!Number.isInteger(part) || part < 0 || part > MAX_PART) invalid('part number', part, `an integer 0..${MAX_PART}`);
  return `part-${String(part).padStart(5, '0')}.parquet`;
}

function versionSegment(version: number): string {
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    invalid('version', version, `an integer 1..${MAX_VERSION}`);
  }
  return `v=${String(version).padStart(9, '0')}`;
}

function checkTableName(table: PublishedTableName): PublishedTableName {
  if (typeof table !== 'string' || !PUBLISHED_TABLE_NAME_PATTERN.test(table)) {
    invalid('published table', table, 'silver.<name> or gold.<name>');
  }
  return table;
}

function isSafeSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('\0');
}

function checkRowHash(rowHash: string): string {
  if (typeof rowHash !== 'string' || !SHA256_PATTERN.test(rowHash)) invalid('row hash', rowHash, '64 lowercase hex digits');
  return rowHash;
}

function checkDecisionId(decisionId: string): string {
  if (typeof decisionId !== 'string' || !INCIDENT_ID_PATTERN.test(decisionId)) {
    invalid('decision id', decisionId, 'letters, digits, ".", "_", "-" (1-128, starting alphanumeric)');
  }
  return decisionId;
}

function checkAttempt(attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 255) invalid('attempt', attempt, 'an integer 1..255');
  return attempt;
}

function checkFileName(fileName: string): string {
  if (typeof fileName !== 'string' || fileName.includes('/') || !isSafeSegment(fileName)) {
    invalid('file name', fileName, 'one non-empty path segment without "/"');
  }
  return fileName;
}

function checkRelativePath(what: string, path: string): string {
  if (typeof path !== 'string' || path.startsWith('/') || !path.split('/').every(isSafeSegment)) {
    invalid(what, path, 'a relative path without empty, "." or ".." segments');
  }
  return path;
}

/** Bucket names as used in the local lake: the logical names themselves. */
export function localBuckets(): LakeBuckets {
  return { bronze: 'bronze', silver: 'silver', gold: 'gold', quarantine: 'quarantine', artifacts: 'artifacts' };
}

/** Bucket names of a cloud stage: `<prefix>-<logical name>`, e.g. `ledgerlake-prod-bronze`. */
export function stageBuckets(prefix: string): LakeBuckets {
  const longest = Math.max(...LAKE_BUCKET_NAMES.map((name) => name.length)) + 1;
  if (typeof prefix !== 'string' || !STAGE_PREFIX_PATTERN.test(prefix) || prefix.length + longest > 63) {
    invalid('bucket prefix', prefix, `lowercase letters, digits and inner hyphens, at most ${63 - longest} characters`);
  }
  return {
    bronze: `${prefix}-bronze`,
    silver: `${prefix}-silver`,
    gold: `${prefix}-gold`,
    quarantine: `${prefix}-quarantine`,
    artifacts: `${prefix}-artifacts`,
  };
}

/** The partition values of a Silver month (`year`, `month`, `schema_v`), as the keys name them. */
export function silverPartitionValues(month: YearMonth, schemaVersion: string): string[] {
  const { yyyy, mm } = checkMonth(month);
  return [yyyy, mm, schemaVersion];
}

function publishedTable(
  bucket: string,
  tableRoot: string,
  partitionOf: (month: YearMonth) => string,
  valuesOf: (month: YearMonth) => string[],
): PublishedTableLayout {
  const partition = (month: YearMonth) => `${tableRoot}${partitionOf(month)}`;
  const run = (month: YearMonth, runId: string) => `${partition(month)}run_id=${checkRunId(runId)}/`;
  const manifestFolder = (month: YearMonth, version: number, runId: string) =>
    `${partition(month)}_manifests/${versionSegment(version)}/run_id=${checkRunId(runId)}/`;
  return {
    tablePrefix: () => ({ bucket, prefix: tableRoot }),
    partitionPrefix: (month) => ({ bucket, prefix: partition(month) }),
    partitionValues: valuesOf,
    runPrefix: (month, runId) => ({ bucket, prefix: run(month, runId) }),
    runPart: (month, runId, part) => ({ bucket, key: `${run(month, runId)}${partFile(part)}` }),
    currentPrefix: (month) => ({ bucket, prefix: `${partition(month)}current/` }),
    currentObject: (month, name) => ({
      bucket,
      key: `${partition(month)}current/${checkRelativePath('published object name', name)}`,
    }),
    latest: (month) => ({ bucket, key: `${partition(month)}_LATEST.json` }),
    versionsPrefix: (month) => ({ bucket, prefix: `${partition(month)}_versions/` }),
    version: (month, version) => ({ bucket, key: `${partition(month)}_versions/${versionSegment(version)}.json` }),
    manifestPrefix: (month, version, runId) => ({ bucket, prefix: manifestFolder(month, version, runId) }),
    manifest: (month, version, runId) => ({ bucket, key: `${manifestFolder(month, version, runId)}manifest` }),
  };
}

function rejectedRows(bucket: string, tableRoot: string): RejectedRowsLayout {
  const date = (ingestDate: string) => `${tableRoot}ingest_date=${checkIngestDate(ingestDate)}/`;
  const run = (ingestDate: string, runId: string) => `${date(ingestDate)}run_id=${checkRunId(runId)}/`;
  return {
    tablePrefix: () => ({ bucket, prefix: tableRoot }),
    datePrefix: (ingestDate) => ({ bucket, prefix: date(ingestDate) }),
    runPrefix: (ingestDate, runId) => ({ bucket, prefix: run(ingestDate, runId) }),
    runPart: (ingestDate, runId, part) => ({ bucket, key: `${run(ingestDate, runId)}${partFile(part)}` }),
    runObject: (ingestDate, runId, name) => {
      if (!/^part-[A-Za-z0-9._-]+\.parquet$/.test(name)) invalid('rejected rows object name', name, 'part-<name>.parquet');
      return { bucket, key: `${run(ingestDate, runId)}${name}` };
    },
  };
}

function checkBuckets(buckets: LakeBuckets): LakeBuckets {
  const names = LAKE_BUCKET_NAMES.map((name) => buckets?.[name]);
  names.forEach((name, index) => {
    if (typeof name !== 'string' || !LOCAL_BUCKET_PATTERN.test(name)) {
      invalid(`${LAKE_BUCKET_NAMES[index]} bucket name`, name, 'an S3 bucket name');
    }
  });
  if (new Set(names).size !== names.length) {
    // Bronze and Quarantine keys both start `mortgages/transactions/ingest_date=`: they must not share a bucket.
    invalid('bucket names', buckets, 'five different buckets');
  }
  return { ...buckets };
}

/**
 * The lake layout over the given physical buckets, with the keys of `dataset` (default the one the
 * product ships, `TRANSACTIONS_DATASET`); every function validates its inputs and throws `RangeError`.
 */
export function createLakeLayout(lakeBuckets: LakeBuckets, dataset: DatasetSpec = TRANSACTIONS_DATASET): LakeLayout {
  const buckets = checkBuckets(lakeBuckets);
  const siblings = new Map<DatasetSpec, LakeLayout>();
  const layoutOf = (spec: DatasetSpec): LakeLayout => {
    let layout = siblings.get(spec);
    if (layout === undefined) {
      layout = datasetLayout(buckets, spec, lake, layoutOf);
      siblings.set(spec, layout);
    }
    return layout;
  };
  const lake = lakeWide(buckets);
  return layoutOf(dataset);
}

/** The parts of the layout every dataset shares: Gold, the artifacts, the control objects. */
type LakeWide = Pick<LakeLayout, 'gold' | 'artifacts' | 'control'>;

function datasetLayout(buckets: LakeBuckets, dataset: DatasetSpec, lake: LakeWide, forDataset: (spec: DatasetSpec) => LakeLayout): LakeLayout {
  const { bronze, silver, quarantine } = buckets;
  const root = `${dataset.path}/`;
  const silverTable = publishedTable(
    silver,
    root,
    (month) => {
      const { yyyy, mm } = checkMonth(month);
      return `year=${yyyy}/month=${mm}/schema_v=${dataset.schemaVersion}/`;
    },
    (month) => silverPartitionValues(month, dataset.schemaVersion),
  );
  return {
    buckets,
    dataset,
    forDataset,
    ...lake,
    bronze: {
      tablePrefix: () => ({ bucket: bronze, prefix: root }),
      datePrefix: (ingestDate) => ({ bucket: bronze, prefix: `${root}ingest_date=${checkIngestDate(ingestDate)}/` }),
      file: (ingestDate, fileName) => ({
        bucket: bronze,
        key: `${root}ingest_date=${checkIngestDate(ingestDate)}/${checkFileName(fileName)}`,
      }),
      retryFile: (ingestDate, retryRunId) => ({
        bucket: bronze,
        key: `${root}ingest_date=${checkIngestDate(ingestDate)}/retry-${checkRunIdKind(retryRunId, false)}.csv`,
      }),
      backfillFile: (ingestDate, month, backfillRunId, gzip) => ({
        bucket: bronze,
        key: `${root}ingest_date=${checkIngestDate(ingestDate)}/backfill-${checkMonthText(month)}-${checkRunIdKind(backfillRunId, true)}.csv${gzip ? '.gz' : ''}`,
      }),
    },
    silver: {
      ...silverTable,
      partitionOf: (key) => parseSilverPartition(key, dataset),
      runSuccess: (month, runId) => ({ bucket: silver, key: `${silverTable.runPrefix(month, runId).prefix}_SUCCESS` }),
    },
    quarantine: rejectedRows(quarantine, root),
    condemned: rejectedRows(quarantine, `condemned/${root}`),
  };
}

function lakeWide(buckets: LakeBuckets): LakeWide {
  const { gold, artifacts } = buckets;
  const runRoot = (runId: string) => `runs/${checkRunId(runId)}/`;
  const goldTable = (table: string, partitionKey: string) =>
    publishedTable(
      gold,
      `finance/${table}/schema_v=${GOLD_SCHEMA_VERSION}/`,
      (month) => {
        const { yyyy, mm } = checkMonth(month);
        return `${partitionKey}=${yyyy}-${mm}/`;
      },
      (month) => {
        const { yyyy, mm } = checkMonth(month);
        return [`${yyyy}-${mm}`];
      },
    );
  return {
    gold: {
      accountBalances: goldTable('account_balances', 'as_of_month'),
      monthlyReports: goldTable('monthly_reports', 'month'),
    },
    artifacts: {
      runsPrefix: () => ({ bucket: artifacts, prefix: 'runs/' }),
      runPrefix: (runId) => ({ bucket: artifacts, prefix: runRoot(runId) }),
      manifest: (runId) => ({ bucket: artifacts, key: `${runRoot(runId)}manifest.json` }),
      report: (runId) => ({ bucket: artifacts, key: `${runRoot(runId)}report.html` }),
      reportData: (runId) => ({ bucket: artifacts, key: `${runRoot(runId)}report.json` }),
      reportIndex: () => ({ page: { bucket: artifacts, key: 'runs/index.html' }, entries: { bucket: artifacts, key: 'runs/index.json' } }),
      runRecord: (runId) => ({ bucket: artifacts, key: `${runRoot(runId)}run.json` }),
      logs: (runId) => ({ bucket: artifacts, key: `${runRoot(runId)}logs.jsonl` }),
      workPrefix: (runId) => ({ bucket: artifacts, prefix: `work/${checkRunId(runId)}/` }),
      workObject: (runId, name) => ({
        bucket: artifacts,
        key: `work/${checkRunId(runId)}/${checkRelativePath('work object name', name)}`,
      }),
    },
    control: {
      processedFilesPrefix: () => ({ bucket: artifacts, prefix: 'ledger/processed-files/' }),
      processedFile: (sha256) => {
        if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) {
          invalid('content SHA-256', sha256, '64 lowercase hex digits');
        }
        return { bucket: artifacts, key: `ledger/processed-files/${sha256}.json` };
      },
      circuitBreaker: () => ({ bucket: artifacts, key: 'control/circuit-breaker.json' }),
      breakerWindowPrefix: () => ({ bucket: artifacts, prefix: 'control/breaker-window/' }),
      breakerWindow: (runId) => ({ bucket: artifacts, key: `control/breaker-window/${checkRunId(runId)}.json` }),
      postedAlertsPrefix: () => ({ bucket: artifacts, prefix: 'alerts/posted/' }),
      postedAlert: (incidentId) => {
        if (typeof incidentId !== 'string' || !INCIDENT_ID_PATTERN.test(incidentId)) {
          invalid('incident id', incidentId, 'letters, digits, ".", "_", "-" (1-128, starting alphanumeric)');
        }
        return { bucket: artifacts, key: `alerts/posted/${incidentId}.json` };
      },
      shownAlert: (name) => {
        if (typeof name !== 'string' || !INCIDENT_ID_PATTERN.test(name)) invalid('alert name', name, 'letters, digits, ".", "_", "-" (1-128, starting alphanumeric)');
        return { bucket: artifacts, key: `alerts/shown/${name}.txt` };
      },
      quarantineIndexRoot: () => ({ bucket: artifacts, prefix: 'index/quarantine-hashes/' }),
      quarantineIndexPrefix: (month) => ({
        bucket: artifacts,
        prefix: `index/quarantine-hashes/month=${checkIndexMonth(month)}/`,
      }),
      quarantineIndex: (month, runId) => ({
        bucket: artifacts,
        key: `index/quarantine-hashes/month=${checkIndexMonth(month)}/run_id=${checkRunId(runId)}.txt`,
      }),
      catalogTablePrefix: (table) => ({ bucket: artifacts, prefix: `catalog/${checkTableName(table)}/` }),
      catalogPartition: (table, month) => {
        const { yyyy, mm } = checkMonth(month);
        return { bucket: artifacts, key: `catalog/${checkTableName(table)}/${yyyy}-${mm}.json` };
      },
      ignoredBronzePrefix: () => ({ bucket: artifacts, prefix: 'control/bronze/ignored/' }),
      ignoredBronzeObject: (bronzeKey) => ({
        bucket: artifacts,
        key: `control/bronze/ignored/${checkRelativePath('Bronze key', bronzeKey)}.json`,
      }),
      retryClaim: (rowHash, attempt) => ({
        bucket: artifacts,
        key: `control/retries/claims/${checkRowHash(rowHash)}/attempt=${checkAttempt(attempt)}.json`,
      }),
      retryRecordsPrefix: () => ({ bucket: artifacts, prefix: 'control/retries/runs/' }),
      retryRecord: (retryRunId) => ({ bucket: artifacts, key: `control/retries/runs/${checkRunId(retryRunId)}.json` }),
      condemnedDecisionsPrefix: () => ({ bucket: artifacts, prefix: 'control/condemned/decisions/' }),
      condemnedDecision: (decisionId) => ({
        bucket: artifacts,
        key: `control/condemned/decisions/${checkDecisionId(decisionId)}.json`,
      }),
      condemnedRowDecision: (runId, rowHash) => ({
        bucket: artifacts,
        key: `control/condemned/rows/run_id=${checkRunId(runId)}/${checkRowHash(rowHash)}.json`,
      }),
      condemnedRowDecisionsPrefix: (runId) => ({ bucket: artifacts, prefix: `control/condemned/rows/run_id=${checkRunId(runId)}/` }),
      promotionsPrefix: () => ({ bucket: artifacts, prefix: 'control/promotions/' }),
      promotionIntent: (runId) => ({ bucket: artifacts, key: `control/promotions/${checkRunId(runId)}.json` }),
    },
  };
}

/**
 * The dataset, ingest date and file name of a Bronze key, or `undefined` if the key is not a file
 * landed for one of `registry`'s datasets (default the shipped ones, `DATASETS`).
 */
export function parseBronzeKey(
  key: string,
  registry: DatasetRegistry = DATASETS,
): { dataset: DatasetSpec; ingestDate: string; fileName: string } | undefined {
  const match = /^([^/]+\/[^/]+)\/ingest_date=([^/]+)\/([^/]+)$/.exec(key);
  if (!match) return undefined;
  const [, path = '', ingestDate = '', fileName = ''] = match;
  const dataset = registry.get(path);
  return dataset !== undefined && isIngestDate(ingestDate) && isSafeSegment(fileName) ? { dataset, ingestDate, fileName } : undefined;
}

/** The year/month partition of a Silver key or prefix of `dataset`, or `undefined` if it is not under one. */
export function parseSilverPartition(key: string, dataset: DatasetSpec): YearMonth | undefined {
  const root = `${dataset.path}/year=`;
  if (!key.startsWith(root)) return undefined;
  const match = /^(\d{4})\/month=(\d{2})(?:\/|$)/.exec(key.slice(root.length));
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return isYearMonth(year, month) ? { year, month } : undefined;
}

/**
 * The run id a key belongs to: a `run_id=<id>` segment (Silver, Quarantine, Condemned, Gold),
 * `runs/<id>/...` or `work/<id>/...` (artifacts) or `control/breaker-window/<id>.json`; `undefined` if none.
 */
export function parseRunIdFromKey(key: string): string | undefined {
  const segments = key.split('/');
  let candidate: string | undefined;
  const segment = segments.find((part) => part.startsWith('run_id='));
  if (segment !== undefined) candidate = segment.slice('run_id='.length);
  else if ((segments[0] === 'runs' || segments[0] === 'work') && segments.length > 2) candidate = segments[1];
  else {
    const match = /^control\/breaker-window\/([^/]+)\.json$/.exec(key);
    candidate = match?.[1];
  }
  return candidate !== undefined && isRunId(candidate) ? candidate : undefined;
}
