import { ObjectConflictError, SuccessMarkerSchema } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import { RunManifestSchema } from '@ledgerlake/lake';
import { loadQuarantineHashes } from '@ledgerlake/ledgers';
import { readEnrichedPart, workPartRef, writeDecisions, type WorkRow } from '@ledgerlake/work-area';
import {
  createLakeLayout,
  localBuckets,
  MemoryObjectStore,
  type ObjectRef,
  type PutOptions,
  type PutResult,
} from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { writeRun } from '../tests/support/part-events';
import { RUN, seedValidatedRun, SOURCE_FILE_ID, workRow } from '../tests/support/run-fixture';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps, type PartitionWriterSettings } from './settings';

const layout = createLakeLayout(localBuckets());

async function collectRows(store: MemoryObjectStore, state: RunState): Promise<WorkRow[]> {
  return (await readEnrichedPart(store, workPartRef(state.enrichment?.work ?? { bucket: '', prefix: '' }, 'enriched', 0))).workRows();
}
const FINISHED = '2024-05-01T00:10:00.000Z';

function deps(store: MemoryObjectStore, settings: PartitionWriterSettings = DEFAULT_PARTITION_WRITER_SETTINGS): PartitionWriterDeps {
  return { store, layout, settings, now: () => new Date(FINISHED) };
}

/** Records every completed write, in order, and how many streamed uploads are open at once. */
class RecordingStore extends MemoryObjectStore {
  readonly writes: string[] = [];
  open = 0;
  maxOpen = 0;
  override async put(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    const result = await super.put(ref, body, options);
    this.writes.push(`${ref.bucket}/${ref.key}`);
    return result;
  }
  override async putIfAbsent(ref: ObjectRef, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    const result = await super.putIfAbsent(ref, body, options);
    this.writes.push(`${ref.bucket}/${ref.key}`);
    return result;
  }
  override async putStream(ref: ObjectRef, body: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult> {
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      const result = await super.putStream(ref, body, options);
      this.writes.push(`${ref.bucket}/${ref.key}`);
      return result;
    } finally {
      this.open -= 1;
    }
  }
}

const JAN = { year: 2024, month: 1 };
const FEB = { year: 2024, month: 2 };

function mixedRun(store: MemoryObjectStore): Promise<RunState> {
  return seedValidatedRun(store, layout, {
    parts: [
      [
        workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 2 }),
        workRow(['2', 'ACC002', '-25.50', 'EUR', '2024-02-12 09:00:00'], { line: 3 }),
        workRow(['3', 'ACC001', '1,00', 'EUR', '2024-01-06T09:00:00Z'], { line: 4 }),
        workRow(['4', 'ACC003', '7.5', 'USD', '2024-02-01T00:30:00+01:00'], { line: 5, attempt: 1 }),
      ],
      [
        workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 6 }),
        workRow(['5', 'ACC004', null, null, null], { line: 7, schemaProblem: 'record has 2 fields; the header has 5' }),
        workRow(['6', 'ACC005', '99999999999999.99', 'GBP', '2024-02-29T23:59:59.999999Z'], { line: 8 }),
        workRow(['7', 'ACC005', '-99999999999999.99', 'GBP', '2024-02-29T12:00:00Z'], { line: 9 }),
      ],
    ],
    condemned: [[], [{ index: 0, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 repeats line 2' }]],
  });
}

/* A whole run written as the state machine writes it: `WritePart` for each part, then `FinishRun`. */
describe('a run written part by part, then finished', () => {
  let scratch: ParquetScratch;
  beforeEach(async () => {
    scratch = await openParquetScratch();
  });
  afterEach(async () => {
    await scratch.close();
  });

  it('sends every row to exactly one of Silver, Quarantine and Condemned and reconciles', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);

    const result = await writeRun(state, deps(store));

    expect(result.counts).toEqual({ input_rows: 8, valid_rows: 5, quarantined_rows: 2, condemned_rows: 1 });
    expect(result.quarantine_by_reason).toEqual({ TYPE_ERROR: 1, SCHEMA_ERROR: 1 });
    expect(result.condemned_by_reason).toEqual({ DUPLICATE_FAILURE: 1 });
    expect(result.amounts).toEqual({
      input_minor: '58200',
      valid_minor: '28200',
      quarantined_minor: '0',
      condemned_minor: '30000',
    });
    expect(result.critical_errors).toEqual([]);
    expect(result.partitions.map((p) => [p.year, p.month, p.rows])).toEqual([
      [2024, 1, 2],
      [2024, 2, 3],
    ]);
    // One object per work part that has such rows, numbered like the part.
    expect(result.quarantine_files).toEqual([
      layout.quarantine.runPart('2024-05-01', RUN.run_id, 0),
      layout.quarantine.runPart('2024-05-01', RUN.run_id, 1),
    ]);
    expect(result.condemned_files).toEqual([layout.condemned.runPart('2024-05-01', RUN.run_id, 1)]);
    expect(result.manifest).toEqual(layout.artifacts.manifest(RUN.run_id));
  });

  it('writes Silver Parquet with the contract types, read back by DuckDB', async () => {
    const store = new MemoryObjectStore();
    const result = await writeRun(await mixedRun(store), deps(store));

    const [file] = await scratch.copyFrom(store, [layout.silver.runPart(FEB, RUN.run_id, 0)]);

    // The file itself holds no partition columns: they live in the key (hive style).
    expect(await scratch.describe(`SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)).toEqual({
      id: 'BIGINT',
      account_id: 'VARCHAR',
      amount: 'DECIMAL(16,2)',
      currency: 'VARCHAR',
      tx_date: 'TIMESTAMP WITH TIME ZONE',
      row_hash: 'VARCHAR',
      source_file_id: 'VARCHAR',
      source_line: 'BIGINT',
      attempt_count: 'INTEGER',
      ingestion_timestamp: 'TIMESTAMP WITH TIME ZONE',
      run_id: 'VARCHAR',
      execution_arn: 'VARCHAR',
    });
    // February has rows in both work parts: one object each.
    expect(result.months[1]?.files).toEqual([
      layout.silver.runPart(FEB, RUN.run_id, 0).key,
      layout.silver.runPart(FEB, RUN.run_id, 1).key,
    ]);
  });

  it('stores exact amounts and the UTC instant, partitioned by the transaction month', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    const result = await writeRun(state, deps(store));

    await scratch.copyFrom(store, result.months.flatMap((p) => p.files.map((key) => ({ bucket: 'silver', key }))));
    const rows = await scratch.query(
      `SELECT year, month, id, account_id, amount::VARCHAR AS amount, currency,
              strftime(tx_date, '%Y-%m-%dT%H:%M:%S.%fZ') AS tx_date, source_line, attempt_count,
              strftime(ingestion_timestamp, '%Y-%m-%dT%H:%M:%SZ') AS ingested, run_id, source_file_id
       FROM read_parquet('${scratch.dir}/silver/**/*.parquet', hive_partitioning = true,
                         hive_types = {'year': INTEGER, 'month': VARCHAR})
       ORDER BY id`,
    );

    const common = { ingested: '2024-05-01T00:00:00Z', run_id: RUN.run_id, source_file_id: SOURCE_FILE_ID };
    expect(rows).toEqual([
      { year: 2024, month: '01', id: '1', account_id: 'ACC001', amount: '300.00', currency: 'EUR', tx_date: '2024-01-05T09:00:00.000000Z', source_line: '2', attempt_count: 0, ...common },
      { year: 2024, month: '02', id: '2', account_id: 'ACC002', amount: '-25.50', currency: 'EUR', tx_date: '2024-02-12T09:00:00.000000Z', source_line: '3', attempt_count: 0, ...common },
      // +01:00 on Feb 1st is still January in UTC: the row lands in month=01.
      { year: 2024, month: '01', id: '4', account_id: 'ACC003', amount: '7.50', currency: 'USD', tx_date: '2024-01-31T23:30:00.000000Z', source_line: '5', attempt_count: 1, ...common },
      { year: 2024, month: '02', id: '6', account_id: 'ACC005', amount: '99999999999999.99', currency: 'GBP', tx_date: '2024-02-29T23:59:59.999999Z', source_line: '8', attempt_count: 0, ...common },
      { year: 2024, month: '02', id: '7', account_id: 'ACC005', amount: '-99999999999999.99', currency: 'GBP', tx_date: '2024-02-29T12:00:00.000000Z', source_line: '9', attempt_count: 0, ...common },
    ]);
    const [sums] = await scratch.query(
      `SELECT sum(amount)::VARCHAR AS total, max(amount)::VARCHAR AS top, count(*) AS n
       FROM read_parquet('${scratch.dir}/silver/**/*.parquet')`,
    );
    expect(sums).toEqual({ total: '282.00', top: '99999999999999.99', n: '5' });
  });

  it('writes quarantined and condemned rows with raw fields, reason, detail and lineage', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    const result = await writeRun(state, deps(store));

    const [firstQuarantine, secondQuarantine, condemned] = await scratch.copyFrom(store, [...result.quarantine_files, ...result.condemned_files]);
    expect(firstQuarantine).toContain('quarantine/mortgages/transactions/ingest_date=2024-05-01/run_id=20240501T000000Z/');
    expect(condemned).toContain('quarantine/condemned/mortgages/transactions/ingest_date=2024-05-01/run_id=20240501T000000Z/');
    const quarantine = `['${firstQuarantine}', '${secondQuarantine}']`;
    const columns = `transaction_id, customer_id, transaction_amount, currency, transaction_timestamp,
                     validation_error, error_detail, source_line, attempt_count, run_id, execution_arn, length(row_hash) AS hash_length`;
    expect(await scratch.query(`SELECT ${columns} FROM read_parquet(${quarantine}) ORDER BY source_line`)).toEqual([
      {
        transaction_id: '3',
        customer_id: 'ACC001',
        transaction_amount: '1,00',
        currency: 'EUR',
        transaction_timestamp: '2024-01-06T09:00:00Z',
        validation_error: 'TYPE_ERROR',
        error_detail: expect.stringContaining('TransactionAmount "1,00": contains the separator ","'),
        source_line: '4',
        attempt_count: 0,
        run_id: RUN.run_id,
        execution_arn: RUN.execution_arn,
        hash_length: '64',
      },
      {
        transaction_id: '5',
        customer_id: 'ACC004',
        transaction_amount: null,
        currency: null,
        transaction_timestamp: null,
        validation_error: 'SCHEMA_ERROR',
        error_detail: 'record has 2 fields; the header has 5',
        source_line: '7',
        attempt_count: 0,
        run_id: RUN.run_id,
        execution_arn: RUN.execution_arn,
        hash_length: '64',
      },
    ]);
    expect(await scratch.query(`SELECT transaction_id, validation_error, error_detail FROM read_parquet('${condemned}')`)).toEqual([
      { transaction_id: '1', validation_error: 'DUPLICATE_FAILURE', error_detail: 'business key 1|2024-01-05 repeats line 2' },
    ]);
    expect(await scratch.describe(`SELECT * FROM read_parquet(${quarantine})`)).toMatchObject({
      transaction_id: 'VARCHAR',
      transaction_amount: 'VARCHAR',
      validation_error: 'VARCHAR',
      error_detail: 'VARCHAR',
      source_line: 'BIGINT',
      ingestion_timestamp: 'TIMESTAMP WITH TIME ZONE',
    });
  });

  it('indexes the quarantined rows by transaction month for loop prevention', async () => {
    const store = new MemoryObjectStore();
    const state = await seedValidatedRun(store, layout, {
      parts: [
        [
          workRow(['1', 'A', 'x', 'EUR', '2024-03-05T09:00:00Z']),
          workRow(['2', 'A', '1.00', 'EUR', 'yesterday']),
          workRow(['3', 'A', '1.00', 'EUR', '2024-03-05T09:00:00Z']),
          workRow(['4', 'A', '1.00', 'XXX', '2024-04-01T00:30:00+01:00']),
        ],
      ],
    });
    const rows = await collectRows(store, state);

    await writeRun(state, deps(store));

    // Row 2 (unparseable time) is under `unknown`, read with every month; 2024-04-01T00:30+01:00 is March in UTC.
    const [bad, unknown, , march] = rows.map((row) => row.rowHash);
    expect(await loadQuarantineHashes(store, layout, ['2024-03'])).toEqual(new Set([bad, unknown, march]));
    expect(await loadQuarantineHashes(store, layout, ['2024-04'])).toEqual(new Set([unknown]));
  });

  it('writes _SUCCESS last in each Silver run folder, then the manifest', async () => {
    const store = new RecordingStore();
    await writeRun(await mixedRun(store), deps(store));

    const written = store.writes.filter((key) => !key.startsWith('artifacts/work/20240501T000000Z/'));
    const last = (prefix: string) => written.filter((key) => key.startsWith(prefix)).at(-1);
    for (const month of [JAN, FEB]) {
      const folder = layout.silver.runPrefix(month, RUN.run_id);
      const success = layout.silver.runSuccess(month, RUN.run_id);
      expect(last(`${folder.bucket}/${folder.prefix}`)).toBe(`${success.bucket}/${success.key}`);
    }
    const firstSuccess = written.findIndex((key) => key.endsWith('/_SUCCESS'));
    const lastParquet = written.findLastIndex((key) => key.endsWith('.parquet'));
    expect(lastParquet).toBeLessThan(firstSuccess);
    const manifest = layout.artifacts.manifest(RUN.run_id);
    expect(written.at(-1)).toBe(`${manifest.bucket}/${manifest.key}`);
  });

  it('writes a _SUCCESS marker and a manifest that follow the contract', async () => {
    const store = new MemoryObjectStore();
    const result = await writeRun(await mixedRun(store), deps(store));

    const marker = JSON.parse(Buffer.from((await store.getBytes(layout.silver.runSuccess(FEB, RUN.run_id))) ?? []).toString());
    expect(SuccessMarkerSchema.parse(marker)).toEqual({
      run_id: RUN.run_id,
      execution_arn: RUN.execution_arn,
      source_files: [SOURCE_FILE_ID],
      schema_version: 'v1',
      counts: result.counts,
      quarantine_by_reason: { TYPE_ERROR: 1, SCHEMA_ERROR: 1 },
      amounts: result.amounts,
      critical_errors: [],
      files: [layout.silver.runPart(FEB, RUN.run_id, 0).key, layout.silver.runPart(FEB, RUN.run_id, 1).key],
      started_at: RUN.started_at,
      finished_at: FINISHED,
    });
    expect(marker.condemned_by_reason).toEqual({ DUPLICATE_FAILURE: 1 });
    const manifest = RunManifestSchema.parse(
      JSON.parse(Buffer.from((await store.getBytes(result.manifest)) ?? []).toString()),
    );
    // The state carries totals; the manifest the lists.
    expect(manifest.partitions.map(({ year, month, rows, files }) => ({ year, month, rows, file_count: files.length }))).toEqual(result.partitions);
    expect(manifest.files).toEqual(manifest.partitions.flatMap((p) => p.files));
    expect([result.quarantine_file_count, result.condemned_file_count]).toEqual([manifest.quarantine_files.length, manifest.condemned_files.length]);
    expect(result.quarantine_file_count).toBeGreaterThan(0);
  });

  it('records a critical error when a decision is lost between the stages', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    const work = state.enrichment?.work ?? { bucket: '', prefix: '' };
    // Corrupt the work area: validation's decision on the TYPE_ERROR row of part 0 disappears.
    await writeDecisions(store, workPartRef(work, 'validation', 0), []);

    const result = await writeRun(state, deps(store));

    // The row is in none of Silver, Quarantine and Condemned: the counts say so too.
    expect(result.critical_errors).toEqual(
      expect.arrayContaining([
        'work part 0: 1 row(s) with no decision in the work area (lines 4)',
        'reconciliation: input_rows 8 != valid_rows 5 + quarantined_rows 1 + condemned_rows 1 (= 7)',
      ]),
    );
    const marker = SuccessMarkerSchema.parse(
      JSON.parse(Buffer.from((await store.getBytes(layout.silver.runSuccess(JAN, RUN.run_id))) ?? []).toString()),
    );
    expect(marker.critical_errors).toEqual(result.critical_errors);
    expect(result.counts.quarantined_rows).toBe(1);
  });

  it('records a critical error when counts or amounts do not reconcile with what the stages reported', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    const tampered: RunState = {
      ...state,
      enrichment: { ...(state.enrichment as NonNullable<RunState['enrichment']>), input_rows: 9, input_amount: '582.01' },
      validation: { valid_rows: 6, quarantined_rows: 2, quarantine_by_reason: { TYPE_ERROR: 2 } },
    };

    const result = await writeRun(tampered, deps(store));

    expect(result.critical_errors).toEqual([
      'reconciliation: input_rows 9 != valid_rows 5 + quarantined_rows 2 + condemned_rows 1 (= 8)',
      'reconciliation: input_minor 58201 != valid_minor 28200 + quarantined_minor 0 + condemned_minor 30000 (= 58200)',
      'reconciliation: validation valid_rows reported 6, partition writer routed 5',
      'reconciliation: validation quarantine_by_reason SCHEMA_ERROR reported 0, routed 1, TYPE_ERROR reported 2, routed 1',
    ]);
  });

  it('records a critical error when decisions name rows a part does not have', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    const work = state.enrichment?.work ?? { bucket: '', prefix: '' };
    await writeDecisions(store, workPartRef(work, 'loop-prevention', 0), [{ index: 4, code: 'MAX_ATTEMPTS', detail: 'x' }]);

    const result = await writeRun(state, deps(store));

    expect(result.critical_errors).toContain('loop-prevention decisions of work part 0 name 1 row(s) past its 4 rows');
  });

  it('refuses to run again once the run is complete, leaving its output untouched', async () => {
    const store = new MemoryObjectStore();
    const state = await mixedRun(store);
    await writeRun(state, deps(store));
    const success = layout.silver.runSuccess(JAN, RUN.run_id);
    const before = await store.head(success);

    const again = writeRun(state, { ...deps(store), now: () => new Date('2024-02-02T00:00:00Z') });

    await expect(again).rejects.toBeInstanceOf(ObjectConflictError);
    expect((await store.head(success))?.etag).toBe(before?.etag);
  });

  it('never writes into a Silver run folder that already has _SUCCESS', async () => {
    const store = new RecordingStore();
    const state = await mixedRun(store);
    const sealed = layout.silver.runSuccess(JAN, RUN.run_id);
    await store.put(sealed, '{}');

    await expect(writeRun(state, deps(store))).rejects.toMatchObject({ name: 'ObjectConflictError', key: sealed.key });

    const folder = layout.silver.runPrefix(JAN, RUN.run_id);
    expect((await store.list(folder.bucket, folder.prefix)).objects.map((o) => o.key)).toEqual([sealed.key]);
    expect(await store.head(layout.artifacts.manifest(RUN.run_id))).toBeUndefined();
  });

  it('keeps memory bounded when many months interleave, without losing a row', async () => {
    const store = new RecordingStore();
    const rows = Array.from({ length: 120 }, (_, i) => {
      const month = String((i % 12) + 1).padStart(2, '0');
      return workRow([`${i}`, `ACC${i % 7}`, `${i}.01`, 'EUR', `2023-${month}-15T12:00:00Z`], { line: i + 2 });
    });
    const state = await seedValidatedRun(store, layout, { parts: [rows.slice(0, 60), rows.slice(60)] });
    const limits = { rowGroupRows: 4, maxBufferedRows: 6, maxOpenFiles: 3, maxRowsPerFile: 8 };

    const result = await writeRun(state, deps(store, { ...DEFAULT_PARTITION_WRITER_SETTINGS, parquet: limits }));

    expect(result.critical_errors).toEqual([]);
    expect(result.partitions).toHaveLength(12);
    expect(store.maxOpen).toBeLessThanOrEqual(limits.maxOpenFiles);
    expect(result.months.every((p) => p.rows === 10 && p.files.length >= 2)).toBe(true);
    const files = await scratch.copyFrom(store, result.months.flatMap((p) => p.files.map((key) => ({ bucket: 'silver', key }))));
    const list = files.map((f) => `'${f}'`).join(', ');
    const [totals] = await scratch.query(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(amount)::VARCHAR AS total FROM read_parquet([${list}])`,
    );
    expect(totals).toEqual({ n: '120', ids: '120', total: '7141.20' });
    const [groups] = await scratch.query(`SELECT max(row_group_num_rows) AS largest FROM parquet_metadata([${list}])`);
    // Six rows buffered across twelve months: the largest buffer is written out long before a full row group.
    expect(Number(groups?.['largest'])).toBeLessThanOrEqual(limits.rowGroupRows);
  }, 30_000);
});
