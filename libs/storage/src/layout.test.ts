import { datasetRegistry, type DatasetSpec, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import {
  createLakeLayout,
  isSilverTable,
  isRunbookFileName,
  LAKE_BUCKET_NAMES,
  localBuckets,
  parseBronzeKey,
  parseRunIdFromKey,
  parseSilverPartition,
  stageBuckets,
} from './layout';

const RUN = '20240105T090000Z';
const JAN_2024 = { year: 2024, month: 1 };
const local = createLakeLayout(localBuckets());
/** A second dataset: its own path and schema version. */
const PAYMENTS: DatasetSpec = { ...TRANSACTIONS_DATASET, path: 'cards/payments', schemaVersion: 'v2', silver: { table: 'silver.payments' }, gold: false };

describe('bucket names', () => {
  it('localBuckets names each bucket after its logical name', () => {
    expect(localBuckets()).toEqual({
      bronze: 'bronze',
      silver: 'silver',
      gold: 'gold',
      quarantine: 'quarantine',
      artifacts: 'artifacts',
    });
  });

  it('stageBuckets prefixes every logical name', () => {
    expect(stageBuckets('ledgerlake-prod')).toEqual({
      bronze: 'ledgerlake-prod-bronze',
      silver: 'ledgerlake-prod-silver',
      gold: 'ledgerlake-prod-gold',
      quarantine: 'ledgerlake-prod-quarantine',
      artifacts: 'ledgerlake-prod-artifacts',
    });
  });

  it.each(['', 'Upper', 'trailing-', '-leading', 'dot.ted', 'under_score', 'a'.repeat(53)])(
    'stageBuckets rejects the prefix %j',
    (prefix) => {
      expect(() => stageBuckets(prefix)).toThrow(/^layout: invalid bucket prefix/);
    },
  );

  it('stageBuckets accepts the longest prefix that keeps every name within 63 characters', () => {
    expect(stageBuckets('a'.repeat(52)).quarantine).toHaveLength(63);
  });

  it('LAKE_BUCKET_NAMES lists the five logical buckets', () => {
    expect([...LAKE_BUCKET_NAMES]).toEqual(Object.keys(localBuckets()));
  });

  it('createLakeLayout binds keys to the physical bucket names', () => {
    const stage = createLakeLayout(stageBuckets('ll-dev'));

    expect(stage.bronze.file('2024-01-05', 'x.csv').bucket).toBe('ll-dev-bronze');
    expect(stage.condemned.tablePrefix().bucket).toBe('ll-dev-quarantine');
    expect(stage.control.circuitBreaker().bucket).toBe('ll-dev-artifacts');
    expect(stage.buckets).toEqual(stageBuckets('ll-dev'));
  });

  it('createLakeLayout refuses two logical buckets sharing one physical bucket', () => {
    expect(() => createLakeLayout({ ...localBuckets(), quarantine: 'bronze' })).toThrow(
      /layout: invalid bucket names .*five different buckets/,
    );
  });

  it('createLakeLayout refuses a name that is not a bucket name', () => {
    expect(() => createLakeLayout({ ...localBuckets(), gold: 'Gold/x' })).toThrow(
      'layout: invalid gold bucket name "Gold/x"',
    );
  });
});

describe('Bronze', () => {
  it('places a landed file under its ingest date', () => {
    expect(local.bronze.file('2024-01-05', 'transactions 1.csv.gz')).toEqual({
      bucket: 'bronze',
      key: 'mortgages/transactions/ingest_date=2024-01-05/transactions 1.csv.gz',
    });
  });

  it('gives the table and day prefixes', () => {
    expect(local.bronze.tablePrefix()).toEqual({ bucket: 'bronze', prefix: 'mortgages/transactions/' });
    expect(local.bronze.datePrefix('2024-02-29')).toEqual({
      bucket: 'bronze',
      prefix: 'mortgages/transactions/ingest_date=2024-02-29/',
    });
  });

  it.each(['2023-02-29', '2024-13-01', '2024-1-5', '0000-01-01', '20240105', ''])(
    'rejects the ingest date %j',
    (date) => {
      expect(() => local.bronze.datePrefix(date)).toThrow(`layout: invalid ingest date ${JSON.stringify(date)}`);
    },
  );

  it("names the runbook's own files so that triggers can tell them from a person's", () => {
    const retry = local.bronze.retryFile('2024-01-05', `${RUN}-a1b2c3`);
    const backfill = local.bronze.backfillFile('2024-01-05', '2023-12', `backfill-${RUN}`, true);

    expect(retry.key).toBe(`mortgages/transactions/ingest_date=2024-01-05/retry-${RUN}-a1b2c3.csv`);
    expect(backfill.key).toBe(`mortgages/transactions/ingest_date=2024-01-05/backfill-2023-12-backfill-${RUN}.csv.gz`);
    for (const { key } of [retry, backfill]) expect(isRunbookFileName(parseBronzeKey(key)?.fileName ?? '')).toBe(true);
    for (const name of ['retry.csv', `retry-${RUN}.csv.gz`, 'backfill-2023-12.csv', `backfill-2023-13-backfill-${RUN}.csv`, `x-retry-${RUN}.csv`]) {
      expect([name, isRunbookFileName(name)]).toEqual([name, false]);
    }
    expect(() => local.bronze.retryFile('2024-01-05', `backfill-${RUN}`)).toThrow('layout: invalid run id');
    expect(() => local.bronze.backfillFile('2024-01-05', '2023-12', RUN, false)).toThrow('layout: invalid run id');
    expect(() => local.bronze.backfillFile('2024-01-05', '2023-1', `backfill-${RUN}`, false)).toThrow('layout: invalid month');
  });

  it.each(['', '.', '..', 'a/b.csv'])('rejects the file name %j', (name) => {
    expect(() => local.bronze.file('2024-01-05', name)).toThrow(`layout: invalid file name ${JSON.stringify(name)}`);
  });
});

describe('Silver', () => {
  const partition = 'mortgages/transactions/year=2024/month=01/schema_v=v1/';

  it('puts a run part in the run folder of its partition, zero-padded to 5 digits', () => {
    expect(local.silver.runPart(JAN_2024, RUN, 7)).toEqual({
      bucket: 'silver',
      key: `${partition}run_id=${RUN}/part-00007.parquet`,
    });
    expect(local.silver.runPart(JAN_2024, RUN, 99_999).key).toMatch(/part-99999\.parquet$/);
  });

  it('writes _SUCCESS in the run folder', () => {
    expect(local.silver.runSuccess({ year: 2024, month: 12 }, RUN)).toEqual({
      bucket: 'silver',
      key: `mortgages/transactions/year=2024/month=12/schema_v=v1/run_id=${RUN}/_SUCCESS`,
    });
  });

  it('gives the published current/ folder, its objects and the _LATEST.json commit point', () => {
    expect(local.silver.currentPrefix(JAN_2024)).toEqual({ bucket: 'silver', prefix: `${partition}current/` });
    expect(local.silver.currentObject(JAN_2024, `run_id=${RUN}/part-00000.parquet`).key).toBe(
      `${partition}current/run_id=${RUN}/part-00000.parquet`,
    );
    expect(local.silver.latest(JAN_2024)).toEqual({ bucket: 'silver', key: `${partition}_LATEST.json` });
  });

  it('gives the table, partition and run prefixes', () => {
    expect(local.silver.tablePrefix()).toEqual({ bucket: 'silver', prefix: 'mortgages/transactions/' });
    expect(local.silver.partitionPrefix(JAN_2024).prefix).toBe(partition);
    expect(local.silver.runPrefix(JAN_2024, RUN).prefix).toBe(`${partition}run_id=${RUN}/`);
  });

  it('pads small years to four digits', () => {
    expect(local.silver.partitionPrefix({ year: 1, month: 9 }).prefix).toBe(
      'mortgages/transactions/year=0001/month=09/schema_v=v1/',
    );
  });

  it.each([
    { year: 0, month: 1 },
    { year: 10_000, month: 1 },
    { year: 2024, month: 0 },
    { year: 2024, month: 13 },
    { year: 2024.5, month: 1 },
    { year: 2024, month: 1.5 },
  ])('rejects the month %j', (month) => {
    expect(() => local.silver.partitionPrefix(month)).toThrow('layout: invalid year/month');
  });

  it.each([-1, 100_000, 1.5, Number.NaN])('rejects the part number %p', (part) => {
    expect(() => local.silver.runPart(JAN_2024, RUN, part)).toThrow('layout: invalid part number');
  });

  it.each(['', '../x', 'a//b', '/abs', 'a/./b'])('rejects the published object name %j', (name) => {
    expect(() => local.silver.currentObject(JAN_2024, name)).toThrow('layout: invalid published object name');
  });
});

describe('run ids', () => {
  it.each(['20240105T090000Z', '20240105T090000Z-a1b2', 'backfill-20240105T090000Z', 'backfill-20240105T090000Z-x'])(
    'accepts %j',
    (runId) => {
      expect(local.artifacts.manifest(runId).key).toBe(`runs/${runId}/manifest.json`);
    },
  );

  it.each(['', 'run-1', '2024-01-05T09:00:00Z', '20240105T090000Z/..', '20240105T090000Z-', '20240105T090000Z-UP', '../x'])(
    'rejects %j',
    (runId) => {
      expect(() => local.artifacts.manifest(runId)).toThrow(`layout: invalid run id ${JSON.stringify(runId)}`);
      expect(() => local.silver.runPrefix(JAN_2024, runId)).toThrow('layout: invalid run id');
    },
  );
});

describe('Quarantine and Condemned', () => {
  it('puts quarantined rows per ingest day and run in the quarantine bucket', () => {
    expect(local.quarantine.runPart('2024-01-05', RUN, 0)).toEqual({
      bucket: 'quarantine',
      key: `mortgages/transactions/ingest_date=2024-01-05/run_id=${RUN}/part-00000.parquet`,
    });
  });

  it('puts condemned rows under condemned/ in the quarantine bucket', () => {
    expect(local.condemned.runPart('2024-01-05', RUN, 12)).toEqual({
      bucket: 'quarantine',
      key: `condemned/mortgages/transactions/ingest_date=2024-01-05/run_id=${RUN}/part-00012.parquet`,
    });
  });

  it('gives table, day and run prefixes that do not overlap between the two', () => {
    expect(local.quarantine.tablePrefix()).toEqual({ bucket: 'quarantine', prefix: 'mortgages/transactions/' });
    expect(local.condemned.tablePrefix()).toEqual({
      bucket: 'quarantine',
      prefix: 'condemned/mortgages/transactions/',
    });
    expect(local.quarantine.datePrefix('2024-01-05').prefix).toBe('mortgages/transactions/ingest_date=2024-01-05/');
    expect(local.condemned.runPrefix('2024-01-05', RUN).prefix).toBe(
      `condemned/mortgages/transactions/ingest_date=2024-01-05/run_id=${RUN}/`,
    );
  });

  it('validates the ingest date and run id', () => {
    expect(() => local.quarantine.runPart('2024-02-30', RUN, 0)).toThrow('layout: invalid ingest date');
    expect(() => local.condemned.runPart('2024-01-05', 'nope', 0)).toThrow('layout: invalid run id');
  });
});

describe('Gold', () => {
  it('partitions account balances by as_of_month=YYYY-MM', () => {
    const balances = local.gold.accountBalances;
    const partition = 'finance/account_balances/schema_v=v1/as_of_month=2024-03/';

    expect(balances.tablePrefix()).toEqual({ bucket: 'gold', prefix: 'finance/account_balances/schema_v=v1/' });
    expect(balances.partitionPrefix({ year: 2024, month: 3 })).toEqual({ bucket: 'gold', prefix: partition });
    expect(balances.runPart({ year: 2024, month: 3 }, RUN, 1).key).toBe(`${partition}run_id=${RUN}/part-00001.parquet`);
    expect(balances.currentPrefix({ year: 2024, month: 3 }).prefix).toBe(`${partition}current/`);
    expect(balances.currentObject({ year: 2024, month: 3 }, 'part-00000.parquet').key).toBe(
      `${partition}current/part-00000.parquet`,
    );
    expect(balances.latest({ year: 2024, month: 3 })).toEqual({ bucket: 'gold', key: `${partition}_LATEST.json` });
  });

  it('partitions monthly reports by month=YYYY-MM', () => {
    const reports = local.gold.monthlyReports;

    expect(reports.runPrefix({ year: 2024, month: 11 }, RUN)).toEqual({
      bucket: 'gold',
      prefix: `finance/monthly_reports/schema_v=v1/month=2024-11/run_id=${RUN}/`,
    });
    expect(reports.latest({ year: 2024, month: 11 }).key).toBe(
      'finance/monthly_reports/schema_v=v1/month=2024-11/_LATEST.json',
    );
  });

  it('validates the month', () => {
    expect(() => local.gold.monthlyReports.partitionPrefix({ year: 2024, month: 13 })).toThrow(
      'layout: invalid year/month',
    );
  });
});

describe('published versions, manifests and the lake catalog', () => {
  const partition = 'mortgages/transactions/year=2024/month=01/schema_v=v1/';

  it('keeps each committed version under _versions/ with a zero-padded number', () => {
    expect(local.silver.versionsPrefix(JAN_2024)).toEqual({ bucket: 'silver', prefix: `${partition}_versions/` });
    expect(local.silver.version(JAN_2024, 12)).toEqual({ bucket: 'silver', key: `${partition}_versions/v=000000012.json` });
  });

  it('puts the symlink manifest of a version, as one run committed it, in its own folder', () => {
    expect(local.silver.manifestPrefix(JAN_2024, 3, RUN)).toEqual({
      bucket: 'silver',
      prefix: `${partition}_manifests/v=000000003/run_id=${RUN}/`,
    });
    expect(local.gold.accountBalances.manifest({ year: 2024, month: 3 }, 3, RUN).key).toBe(
      `finance/account_balances/schema_v=v1/as_of_month=2024-03/_manifests/v=000000003/run_id=${RUN}/manifest`,
    );
  });

  it.each([0, -1, 1.5, 1_000_000_000])('refuses version %p', (version) => {
    expect(() => local.silver.version(JAN_2024, version)).toThrow('layout: invalid version');
  });

  it('keeps the lake catalog in artifacts, one object per table partition', () => {
    expect(local.control.catalogTablePrefix('gold.monthly_reports')).toEqual({
      bucket: 'artifacts',
      prefix: 'catalog/gold.monthly_reports/',
    });
    expect(local.control.catalogPartition('silver.transactions', JAN_2024)).toEqual({
      bucket: 'artifacts',
      key: 'catalog/silver.transactions/2024-01.json',
    });
  });

  it('refuses a table that is not published', () => {
    expect(() => local.control.catalogTablePrefix('quarantine.rows')).toThrow('layout: invalid published table');
    expect(local.control.catalogTablePrefix('silver.payments').prefix).toBe('catalog/silver.payments/');
    expect(() => local.control.catalogPartition('silver.transactions', { year: 2024, month: 0 })).toThrow(
      'layout: invalid year/month',
    );
  });
});

describe('Artifacts and control objects', () => {
  it('keeps run records under runs/<run_id>/', () => {
    expect(local.artifacts.runsPrefix()).toEqual({ bucket: 'artifacts', prefix: 'runs/' });
    expect(local.artifacts.runPrefix(RUN)).toEqual({ bucket: 'artifacts', prefix: `runs/${RUN}/` });
    expect(local.artifacts.manifest(RUN)).toEqual({ bucket: 'artifacts', key: `runs/${RUN}/manifest.json` });
    expect(local.artifacts.report(RUN)).toEqual({ bucket: 'artifacts', key: `runs/${RUN}/report.html` });
    expect(local.artifacts.logs(RUN)).toEqual({ bucket: 'artifacts', key: `runs/${RUN}/logs.jsonl` });
  });

  it('keeps the run record (status and what is known of the run) at runs/<run_id>/run.json', () => {
    expect(local.artifacts.runRecord(RUN)).toEqual({ bucket: 'artifacts', key: `runs/${RUN}/run.json` });
    expect(parseRunIdFromKey(local.artifacts.runRecord(RUN).key)).toBe(RUN);
    expect(() => local.artifacts.runRecord('runs/../x')).toThrow('layout: invalid run id');
  });

  it('gives each run a work/ scratch area for nested objects', () => {
    expect(local.artifacts.workPrefix(RUN)).toEqual({ bucket: 'artifacts', prefix: `work/${RUN}/` });
    expect(local.artifacts.workObject(RUN, 'chunks/00001.jsonl')).toEqual({
      bucket: 'artifacts',
      key: `work/${RUN}/chunks/00001.jsonl`,
    });
    expect(() => local.artifacts.workObject(RUN, '../manifest.json')).toThrow('layout: invalid work object name');
  });

  it('keys the processed-file ledger by content SHA-256', () => {
    const sha = 'ab'.repeat(32);

    expect(local.control.processedFile(sha)).toEqual({
      bucket: 'artifacts',
      key: `ledger/processed-files/${sha}.json`,
    });
    expect(local.control.processedFilesPrefix()).toEqual({ bucket: 'artifacts', prefix: 'ledger/processed-files/' });
  });

  it.each(['', 'AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(32)}0`])('rejects the SHA-256 %j', (sha) => {
    expect(() => local.control.processedFile(sha)).toThrow('layout: invalid content SHA-256');
  });

  it('keys retry claims by row hash and attempt, and retry records and condemned decisions by id', () => {
    const hash = 'cd'.repeat(32);

    expect(local.control.retryClaim(hash, 2)).toEqual({ bucket: 'artifacts', key: `control/retries/claims/${hash}/attempt=2.json` });
    expect(local.control.retryRecord(RUN)).toEqual({ bucket: 'artifacts', key: `control/retries/runs/${RUN}.json` });
    expect(local.control.condemnedDecision('approve-1')).toEqual({
      bucket: 'artifacts',
      key: 'control/condemned/decisions/approve-1.json',
    });
    expect(local.control.quarantineIndexRoot()).toEqual({ bucket: 'artifacts', prefix: 'index/quarantine-hashes/' });
    expect(local.control.quarantineIndexPrefix('2024-01').prefix.startsWith(local.control.quarantineIndexRoot().prefix)).toBe(true);
    expect(local.control.condemnedRowDecision(RUN, hash)).toEqual({
      bucket: 'artifacts',
      key: `control/condemned/rows/run_id=${RUN}/${hash}.json`,
    });
    expect(() => local.control.retryClaim(hash, 0)).toThrow('layout: invalid attempt');
    expect(() => local.control.retryClaim('x', 1)).toThrow('layout: invalid row hash');
    expect(() => local.control.condemnedDecision('../x')).toThrow('layout: invalid decision id');
  });

  it('places pending promotions, and the extra rejected-row objects readers take as parts', () => {
    expect(local.control.promotionsPrefix()).toEqual({ bucket: 'artifacts', prefix: 'control/promotions/' });
    expect(local.control.promotionIntent(RUN)).toEqual({ bucket: 'artifacts', key: `control/promotions/${RUN}.json` });
    expect(local.control.ignoredBronzeObject('mortgages/transactions/ingest_date=2024-04-01/a.csv')).toEqual({
      bucket: 'artifacts',
      key: 'control/bronze/ignored/mortgages/transactions/ingest_date=2024-04-01/a.csv.json',
    });
    expect(local.control.ignoredBronzePrefix()).toEqual({ bucket: 'artifacts', prefix: 'control/bronze/ignored/' });
    expect(() => local.control.ignoredBronzeObject('../x.csv')).toThrow('layout: invalid Bronze key');
    expect(() => local.control.promotionIntent('../x')).toThrow('layout: invalid run id');
    expect(local.condemned.runObject('2024-01-05', RUN, 'part-late-2024-01-abc.parquet')).toEqual({
      bucket: 'quarantine',
      key: `condemned/mortgages/transactions/ingest_date=2024-01-05/run_id=${RUN}/part-late-2024-01-abc.parquet`,
    });
    expect(() => local.condemned.runObject('2024-01-05', RUN, 'late.parquet')).toThrow('layout: invalid rejected rows object name');
    expect(() => local.condemned.runObject('2024-01-05', RUN, 'part-../x.parquet')).toThrow('layout: invalid rejected rows object name');
  });

  it('places the circuit breaker and the breaker window statistics', () => {
    expect(local.control.circuitBreaker()).toEqual({ bucket: 'artifacts', key: 'control/circuit-breaker.json' });
    expect(local.control.breakerWindow(RUN)).toEqual({
      bucket: 'artifacts',
      key: `control/breaker-window/${RUN}.json`,
    });
    expect(local.control.breakerWindowPrefix()).toEqual({ bucket: 'artifacts', prefix: 'control/breaker-window/' });
  });

  it('records posted alerts by incident id', () => {
    expect(local.control.postedAlert('exec-123_a.b')).toEqual({
      bucket: 'artifacts',
      key: 'alerts/posted/exec-123_a.b.json',
    });
    expect(local.control.postedAlertsPrefix()).toEqual({ bucket: 'artifacts', prefix: 'alerts/posted/' });
  });

  it.each(['', '../x', 'a/b', '.hidden', 'x'.repeat(129)])('rejects the incident id %j', (id) => {
    expect(() => local.control.postedAlert(id)).toThrow('layout: invalid incident id');
  });

  it('keeps the quarantine history index by transaction month, one object per run', () => {
    expect(local.control.quarantineIndex('2024-01', RUN)).toEqual({
      bucket: 'artifacts',
      key: `index/quarantine-hashes/month=2024-01/run_id=${RUN}.txt`,
    });
    expect(local.control.quarantineIndexPrefix('unknown')).toEqual({
      bucket: 'artifacts',
      prefix: 'index/quarantine-hashes/month=unknown/',
    });
  });

  it.each(['2024-13', '2024-1', '', 'UNKNOWN', '2024-01/..'])('rejects the index month %j', (month) => {
    expect(() => local.control.quarantineIndexPrefix(month)).toThrow('layout: invalid month');
  });
});

describe('forDataset', () => {
  const payments = local.forDataset(PAYMENTS);

  it("builds another dataset's Bronze, Silver, Quarantine and Condemned keys under its path", () => {
    expect(payments.dataset).toBe(PAYMENTS);
    expect(payments.bronze.tablePrefix()).toEqual({ bucket: 'bronze', prefix: 'cards/payments/' });
    expect(payments.silver.runPart(JAN_2024, RUN, 0)).toEqual({
      bucket: 'silver',
      key: `cards/payments/year=2024/month=01/schema_v=v2/run_id=${RUN}/part-00000.parquet`,
    });
    expect(payments.quarantine.runPrefix('2024-01-05', RUN)).toEqual({ bucket: 'quarantine', prefix: `cards/payments/ingest_date=2024-01-05/run_id=${RUN}/` });
    expect(payments.condemned.tablePrefix()).toEqual({ bucket: 'quarantine', prefix: 'condemned/cards/payments/' });
  });

  it('shares the Gold, artifacts and control keys, and is one object per dataset', () => {
    expect(payments.gold.accountBalances.tablePrefix()).toEqual(local.gold.accountBalances.tablePrefix());
    expect(payments.artifacts.manifest(RUN)).toEqual(local.artifacts.manifest(RUN));
    expect(payments.control.circuitBreaker()).toEqual(local.control.circuitBreaker());
    expect(local.forDataset(PAYMENTS)).toBe(payments);
    expect(payments.forDataset(TRANSACTIONS_DATASET)).toBe(local);
    expect(local.dataset).toBe(TRANSACTIONS_DATASET);
  });
});

describe('isSilverTable', () => {
  it.each([
    ['silver.transactions', true],
    ['silver.payments', true],
    ['gold.account_balances', false],
  ])('%s: %s', (table, silver) => {
    expect(isSilverTable(table)).toBe(silver);
  });
});

describe('parseBronzeKey', () => {
  it('reads the ingest date and file name back from a key the layout built', () => {
    const { key } = local.bronze.file('2024-01-05', 'tx.csv.gz');

    expect(parseBronzeKey(key)).toEqual({ dataset: TRANSACTIONS_DATASET, ingestDate: '2024-01-05', fileName: 'tx.csv.gz' });
  });

  it("reads another registered dataset's keys, and only a registered one's", () => {
    const { key } = local.forDataset(PAYMENTS).bronze.file('2024-01-05', 'p.csv');

    expect(key).toBe('cards/payments/ingest_date=2024-01-05/p.csv');
    expect(parseBronzeKey(key, datasetRegistry([TRANSACTIONS_DATASET, PAYMENTS]))).toEqual({ dataset: PAYMENTS, ingestDate: '2024-01-05', fileName: 'p.csv' });
    expect(parseBronzeKey(key)).toBeUndefined();
  });

  it.each([
    'mortgages/transactions/ingest_date=2024-01-05/',
    'mortgages/transactions/ingest_date=2024-01-05/sub/x.csv',
    'mortgages/transactions/ingest_date=2024-02-30/x.csv',
    'other/transactions/ingest_date=2024-01-05/x.csv',
    'mortgages/transactions/ingest_date=2024-01-05/..',
    'x.csv',
  ])('is undefined for %j', (key) => {
    expect(parseBronzeKey(key)).toBeUndefined();
  });
});

describe('parseSilverPartition', () => {
  it('reads the year and month of run parts, markers, published objects and prefixes', () => {
    const month = { year: 2024, month: 2 };

    expect(parseSilverPartition(local.silver.runPart(month, RUN, 0).key, TRANSACTIONS_DATASET)).toEqual(month);
    expect(parseSilverPartition(local.silver.latest(month).key, TRANSACTIONS_DATASET)).toEqual(month);
    expect(parseSilverPartition(local.silver.currentPrefix(month).prefix, TRANSACTIONS_DATASET)).toEqual(month);
    expect(parseSilverPartition('mortgages/transactions/year=2024/month=02', TRANSACTIONS_DATASET)).toEqual(month);
  });

  it("reads a dataset's own keys only", () => {
    const month = { year: 2024, month: 2 };
    const payments = local.forDataset(PAYMENTS).silver.latest(month).key;

    expect(payments).toBe('cards/payments/year=2024/month=02/schema_v=v2/_LATEST.json');
    expect(parseSilverPartition(payments, PAYMENTS)).toEqual(month);
    expect(parseSilverPartition(payments, TRANSACTIONS_DATASET)).toBeUndefined();
  });

  it.each([
    'mortgages/transactions/year=2024/month=13/schema_v=v1/_LATEST.json',
    'mortgages/transactions/year=0000/month=01/',
    'mortgages/transactions/year=2024/month=1/',
    'mortgages/transactions/year=2024/month=011/',
    'mortgages/transactions/ingest_date=2024-01-05/x.csv',
    'finance/account_balances/schema_v=v1/as_of_month=2024-01/',
  ])('is undefined for %j', (key) => {
    expect(parseSilverPartition(key, TRANSACTIONS_DATASET)).toBeUndefined();
  });
});

describe('parseRunIdFromKey', () => {
  it.each([
    ['a Silver part', local.silver.runPart(JAN_2024, RUN, 3).key],
    ['a Silver _SUCCESS', local.silver.runSuccess(JAN_2024, RUN).key],
    ['a quarantine part', local.quarantine.runPart('2024-01-05', RUN, 0).key],
    ['a condemned part', local.condemned.runPart('2024-01-05', RUN, 0).key],
    ['a Gold run part', local.gold.accountBalances.runPart(JAN_2024, RUN, 0).key],
    ['a run manifest', local.artifacts.manifest(RUN).key],
    ['a work object', local.artifacts.workObject(RUN, 'a/b.jsonl').key],
    ['breaker window statistics', local.control.breakerWindow(RUN).key],
  ])('finds the run id of %s', (_what, key) => {
    expect(parseRunIdFromKey(key)).toBe(RUN);
  });

  it('finds a backfill run id', () => {
    expect(parseRunIdFromKey(local.silver.runPrefix(JAN_2024, 'backfill-20240301T000000Z-k9').prefix)).toBe(
      'backfill-20240301T000000Z-k9',
    );
  });

  it.each([
    local.silver.latest(JAN_2024).key,
    local.control.circuitBreaker().key,
    'mortgages/transactions/run_id=not-a-run/part-00000.parquet',
    'runs/not-a-run/manifest.json',
    `runs/${RUN}`,
  ])('is undefined for %j', (key) => {
    expect(parseRunIdFromKey(key)).toBeUndefined();
  });
});
