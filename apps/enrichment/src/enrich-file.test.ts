import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  InvalidInputError,
  MissingColumnsError,
  rowHashInput,
  TransientStorageError,
  rowFields,
  type RowFields as RowHashFields,
  UNPARSEABLE_RECORD_HASH_PREFIX,
} from '@ledgerlake/domain';
import { type EnrichmentResult, type RunState, WorkPartSchema } from '@ledgerlake/contract';
import { readEnrichedPart, workPartRef, type WorkRow, readMapItems } from '@ledgerlake/work-area';
import { createLakeLayout, listAll, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';
import { enrichFile, type EnrichmentOptions } from './enrich-file';

const layout = createLakeLayout(localBuckets());
const KEY = 'mortgages/transactions/ingest_date=2024-01-05/a.csv';
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const ROW1 = '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z';
const ROW2 = '2,ACC002,-25.50,EUR,2024-02-12 09:00:00';

function state(key = KEY, source: Partial<RunState['run']['source']> = {}): RunState {
  return {
    run: {
      run_id: '20240105T090000Z',
      execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240105T090000Z',
      execution_name: '20240105T090000Z',
      started_at: '2024-01-05T09:00:00Z',
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      source: { bucket: 'bronze', key, ...source },
    },
  };
}

async function enrich(
  content: string | Buffer,
  options: Partial<EnrichmentOptions> = {},
  key = KEY,
): Promise<{ result: EnrichmentResult; rows: WorkRow[]; store: MemoryObjectStore }> {
  const store = new MemoryObjectStore();
  await store.put({ bucket: 'bronze', key }, content);
  const result = await enrichFile(state(key), { store, layout, options });
  return { result, rows: await readAll(store, result), store };
}

async function readAll(store: ObjectStore, result: EnrichmentResult): Promise<WorkRow[]> {
  const rows: WorkRow[] = [];
  for (const { part } of await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')) {
    rows.push(...(await readEnrichedPart(store, workPartRef(result.work, 'enriched', part))).workRows());
  }
  return rows;
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hashOf = (fields: RowHashFields) => sha(rowHashInput(fields));
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('enrichFile', () => {
  it('writes every row with its lineage and returns the file summary', async () => {
    const content = csv(HEADER, ROW1, ROW2);
    const { result, rows, store } = await enrich(content);
    const etag = (await store.head({ bucket: 'bronze', key: KEY }))?.etag.replace(/"/g, '');
    const id = `s3://bronze/${KEY}#${etag}`;
    expect(result).toEqual({
      source_file_id: id,
      content_sha256: sha(content),
      bytes_read: Buffer.byteLength(content),
      header: HEADER.split(','),
      extra_columns: [],
      input_rows: 2,
      input_amount: '274.50',
      work: { bucket: 'artifacts', prefix: 'work/20240105T090000Z/' },
      part_count: 1,
      part_span: 1,
      part_manifest: { bucket: 'artifacts', key: 'work/20240105T090000Z/enriched/parts.json' },
      part_results: { bucket: 'artifacts', prefix: 'work/20240105T090000Z/map-results/parts' },
    });
    expect(rows[0]).toEqual({
      sourceFileId: id,
      sourceLine: 2,
      attemptCount: 0,
      rowHash: hashOf(rowFields(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'])),
      fields: rowFields(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z']),
      schemaProblem: null,
    });
    expect(rows[1]?.sourceLine).toBe(3);
  });

  it('names the source by its version id when the run pins one', async () => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, csv(HEADER, ROW1));
    const result = await enrichFile(state(KEY, { version_id: 'v7' }), { store, layout });
    expect(result.source_file_id).toBe(`s3://bronze/${KEY}?versionId=v7`);
  });

  it('accepts the ETag of the S3 event, which comes without quotes', async () => {
    const store = new MemoryObjectStore();
    const { etag } = await store.put({ bucket: 'bronze', key: KEY }, csv(HEADER, ROW1));
    const result = await enrichFile(state(KEY, { etag: etag.replace(/"/g, '') }), { store, layout });
    expect(result.source_file_id).toBe(`s3://bronze/${KEY}#${etag.replace(/"/g, '')}`);
  });

  it('refuses an object whose ETag changed since the run started', async () => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, csv(HEADER, ROW1));
    const run = enrichFile(state(KEY, { etag: '"not-this-one"' }), { store, layout });
    await expect(run).rejects.toThrow(/was replaced after the run started/);
  });

  it('tolerates a BOM and CRLF line endings', async () => {
    const { result, rows } = await enrich(`\ufeff${HEADER}\r\n${ROW1}\r\n${ROW2}\r\n`);
    expect(result.header[0]).toBe('TransactionID');
    expect(rows.map((r) => [r.sourceLine, r.fields.timestamp])).toEqual([[2, '2024-01-05T09:00:00Z'], [3, '2024-02-12 09:00:00']]);
  });

  it('keeps quoted commas and numbers the record after a quoted newline right', async () => {
    const { rows } = await enrich(csv(HEADER, '1,"ACC,001",1.00,EUR,2024-01-05T09:00:00Z', '2,"multi\nline",2.00,EUR,2024-01-05T09:00:00Z', ROW1));
    expect(rows.map((r) => [r.sourceLine, r.fields.account])).toEqual([[2, 'ACC,001'], [3, 'multi\nline'], [5, 'ACC001']]);
  });

  it('trims every field and every header name', async () => {
    const { rows, result } = await enrich(csv(' TransactionID , CustomerID,TransactionAmount ,Currency,TransactionTimestamp', '  7 ,\tACC001 , 1.00,EUR ,2024-01-05T09:00:00Z  '));
    expect(result.header).toEqual(HEADER.split(','));
    expect(rows[0]?.fields).toEqual(rowFields(['7', 'ACC001', '1.00', 'EUR', '2024-01-05T09:00:00Z']));
  });

  it('skips empty and whitespace-only lines; they are not rows', async () => {
    const { result, rows } = await enrich(`\n${HEADER}\n\n   \n${ROW1}\n\t\n\n${ROW2}\n\n`);
    expect(result.input_rows).toBe(2);
    expect(rows.map((r) => r.sourceLine)).toEqual([5, 8]);
  });

  it('keeps an empty field empty and a record of empty fields as a row', async () => {
    const { rows } = await enrich(csv(HEADER, ',,,,', '1, ,300.00,EUR,2024-01-05T09:00:00Z'));
    expect(rows.map((r) => r.fields)).toEqual([rowFields(['', '', '', '', '']), rowFields(['1', '', '300.00', 'EUR', '2024-01-05T09:00:00Z'])]);
    expect(rows[0]?.schemaProblem).toBeNull();
  });

  it('maps fields by header position, reports extra columns and ignores them', async () => {
    const { result, rows } = await enrich(csv(`Channel,${HEADER.split(',').reverse().join(',')},Note`, 'web,2024-01-05T09:00:00Z,EUR,300.00,ACC001,1,hello'));
    expect(result.extra_columns).toEqual(['Channel', 'Note']);
    expect(rows[0]?.fields).toEqual(rowFields(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z']));
    expect(rows[0]?.rowHash).toBe(hashOf(rowFields(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'])));
  });

  it('flags a record with the wrong number of fields, nulls where fields are absent', async () => {
    const { rows } = await enrich(csv(HEADER, '1,ACC001,300.00', '2,ACC002,1.00,EUR,2024-01-05T09:00:00Z,extra'));
    expect(rows[0]).toMatchObject({ fields: rowFields(['1', 'ACC001', '300.00', null, null]), schemaProblem: 'record has 3 fields; the header has 5' });
    expect(rows[0]?.rowHash).toBe(hashOf(rowFields(['1', 'ACC001', '300.00', null, null])));
    expect(rows[1]).toMatchObject({ fields: rowFields(['2', 'ACC002', '1.00', 'EUR', '2024-01-05T09:00:00Z']), schemaProblem: 'record has 6 fields; the header has 5' });
  });

  it('keeps a record the parser cannot read as one row hashed over its bytes: an unclosed quote runs to the end of the file', async () => {
    const bad = '3,"ACC003,10.00,EUR,2024-01-05T09:00:00Z';
    const { result, rows } = await enrich(csv(HEADER, ROW1, bad, ROW2));
    expect(result.input_rows).toBe(2);
    expect(rows[1]).toMatchObject({ sourceLine: 3, fields: rowFields([null, null, null, null, null]) });
    expect(rows[1]?.schemaProblem).toMatch(/^unparseable record: the record starting on line 3 has a quoted field that is never closed \(CSV_QUOTE_NOT_CLOSED\); .* runs to the end of the file \(line 4\)/);
    expect(rows[1]?.schemaProblem).toContain('3,\\"ACC003');
    const raw = csv(HEADER, ROW1, bad, ROW2).split('\n').slice(2).join('\n');
    expect(rows[1]?.rowHash).toBe(createHash('sha256').update(`${UNPARSEABLE_RECORD_HASH_PREFIX}${raw}`).digest('hex'));
  });

  it('gives the same business row the same hash in any file, position or run', async () => {
    const a = await enrich(csv(HEADER, ROW2, ROW1));
    const b = await enrich(csv(`Note,${HEADER}`, `x," 1 ",ACC001,300.00,EUR,"2024-01-05T09:00:00Z"`), {}, 'mortgages/transactions/ingest_date=2024-01-06/b.csv');
    expect(b.rows[0]?.rowHash).toBe(a.rows[1]?.rowHash);
    expect(b.rows[0]?.sourceFileId).not.toBe(a.rows[1]?.sourceFileId);
  });

  it('reads gzip input', async () => {
    const { result, rows } = await enrich(gzipSync(csv(HEADER, ROW1, ROW2)), {}, `${KEY}.gz`);
    expect(result.input_rows).toBe(2);
    expect(rows[1]?.fields.id).toBe('2');
  });

  it('splits rows into parts of at most rowsPerPart rows', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => `${i},ACC001,1.00,EUR,2024-01-05T09:00:00Z`);
    const { result, rows, store } = await enrich(csv(HEADER, ...lines), { rowsPerPart: 3 });
    expect(await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')).toEqual([{ part: 0, rows: 3 }, { part: 1, rows: 3 }, { part: 2, rows: 1 }]);
    expect(result).toMatchObject({ part_count: 3, part_span: 3 });
    expect(rows.map((r) => r.fields.id)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });

  it('sums exactly the amounts that parse, whatever else is wrong with the row', async () => {
    const { result } = await enrich(csv(HEADER, '1,A,0.10,EUR,x', '2,A,0.20,XXX', '3,A,abc,EUR,x', '4,A,99999999999999.99,EUR,x'));
    expect(result.input_amount).toBe('100000000000000.29');
  });

  it('accepts a header-only file with no rows', async () => {
    const { result } = await enrich(csv(HEADER));
    expect(result).toMatchObject({ input_rows: 0, part_count: 0, part_span: 0, input_amount: '0.00' });
  });

  it('fails fast on missing columns, naming the file and the columns, and writes nothing', async () => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, csv('TransactionID,CustomerID,Amount,Currency', '1,ACC001,300.00,EUR'));
    const run = enrichFile(state(), { store, layout });
    await expect(run).rejects.toBeInstanceOf(MissingColumnsError);
    await expect(run).rejects.toThrow(`enrichment: s3://bronze/${KEY} is missing required column(s) TransactionAmount, TransactionTimestamp`);
    const written = [];
    for await (const meta of listAll(store, 'artifacts', '')) written.push(meta.key);
    expect(written).toEqual([]);
  });

  it('rejects a header with duplicate names', async () => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, csv(`${HEADER},Currency`, `${ROW1},EUR`));
    await expect(enrichFile(state(), { store, layout })).rejects.toThrow(/duplicate column name\(s\) in its header: Currency/);
  });

  it.each([
    ['an empty file', '', /is empty \(0 bytes\); a header row is required/],
    ['a file of blank lines', '\n  \n\r\n', /has no header row \(only blank lines\)/],
    ['a header that never closes its quote', `"TransactionID,CustomerID\n`, /has a header row that cannot be parsed/],
  ])('rejects %s with a clear sentence', async (_, content, message) => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, content);
    const run = enrichFile(state(), { store, layout });
    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toThrow(message);
  });

  it('rejects content that is not UTF-8, with its line', async () => {
    const store = new MemoryObjectStore();
    const good = Buffer.from(csv(HEADER, ROW1));
    await store.put({ bucket: 'bronze', key: KEY }, Buffer.concat([good, Buffer.from([0x31, 0x2c, 0xe9, 0x0a])]));
    const offset = good.length + 2;
    await expect(enrichFile(state(), { store, layout })).rejects.toThrow(`is not valid UTF-8 (invalid byte sequence at byte ${offset}) (line 3)`);
  });

  it('names bucket and key of a missing object, and does not retry it', async () => {
    const run = enrichFile(state(), { store: new MemoryObjectStore(), layout });
    await expect(run).rejects.toMatchObject({ name: 'InvalidInputError', retryable: false });
    await expect(run).rejects.toThrow(`enrichment: s3://bronze/${KEY} does not exist`);
  });

  it('lets transient storage errors propagate as retryable', async () => {
    const store = new MemoryObjectStore();
    await store.put({ bucket: 'bronze', key: KEY }, csv(HEADER, ROW1));
    store.putStream = async () => {
      throw new TransientStorageError('storage: SlowDown');
    };
    await expect(enrichFile(state(), { store, layout })).rejects.toMatchObject({ name: 'TransientStorageError', retryable: true });
  });
});
