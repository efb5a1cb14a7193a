import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createObservability } from '@ledgerlake/observability';
import {
  type ChunkEnrichment,
  type ChunkPlan,
  type EnrichmentResult,
  type RunState,
  WorkPartSchema,
  ChunkSchema,
} from '@ledgerlake/contract';
import { readEnrichedPart, workPartRef, type WorkRow, readMapItems } from '@ledgerlake/work-area';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, loadFixture, writeMapResults } from '@ledgerlake/testing';
import { createHandler } from '../../src';

const FIXTURES = join(__dirname, 'fixtures');

describe('enrichment handler', () => {
  let lake: string;
  beforeEach(() => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-enrichment-'));
  });
  afterEach(() => {
    rmSync(lake, { recursive: true, force: true });
  });

  it('plans, enriches each chunk and combines a gzipped Bronze file in the middy chain, returning the $.enrichment section', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const event = loadFixture<RunState>(FIXTURES, 'state-input');
    const gz = gzipSync(readFileSync(join(FIXTURES, 'transactions.csv')));
    await store.put(event.run.source, gz);
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'enrichment', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, options: { rowsPerPart: 3 } });

    const context = fakeLambdaContext({ functionName: 'enrichment' });
    const plan = (await handler({ action: 'plan', run: event.run }, context)) as ChunkPlan;
    const chunks: ChunkEnrichment[] = [];
    for (const chunk of await readMapItems(store, plan.chunk_manifest, ChunkSchema, 'chunk')) {
      chunks.push((await handler({ action: 'enrich-chunk', run: event.run, plan, chunk }, context)) as ChunkEnrichment);
    }
    // The EnrichChunks Map's output: where its ResultWriter put every chunk's result.
    const results = await writeMapResults(store, plan.chunk_results, chunks);
    const result = (await handler({ action: 'combine', run: event.run, plan, chunks: results }, context)) as EnrichmentResult;

    expect(result).toMatchObject({
      bytes_read: gz.length,
      extra_columns: ['Channel'],
      input_rows: 5,
      input_amount: '292.50',
      work: { bucket: 'artifacts', prefix: 'work/20240105T090000Z/' },
      part_count: 2,
      part_span: 2,
      part_manifest: { bucket: 'artifacts', key: 'work/20240105T090000Z/enriched/parts.json' },
    });
    expect(await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')).toEqual([
      { part: 0, rows: 3 },
      { part: 1, rows: 2 },
    ]);
    expect(result.source_file_id).toMatch(/^s3:\/\/bronze\/mortgages\/transactions\/ingest_date=2024-01-05\/transactions\.csv\.gz#/);
    const rows: WorkRow[] = [];
    for (const { part } of await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')) {
      rows.push(...(await readEnrichedPart(store, workPartRef(result.work, 'enriched', part))).workRows());
    }
    expect(rows.map((r) => [r.sourceLine, r.fields.id, r.schemaProblem])).toEqual([
      [2, '1', null],
      [3, '2', null],
      [5, '3', null],
      [7, '4', 'record has 4 fields; the header has 6'],
      [8, '5', null],
    ]);
    expect(rows[2]?.fields.account).toBe('ACC,003');

    const planned = capture.logs().find((line) => line['message'] === 'bronze file planned');
    expect(planned).toMatchObject({ run_id: '20240105T090000Z', execution_arn: event.run.execution_arn, gzip: true, chunks: 1 });
    const enriched = capture.logs().find((line) => line['message'] === 'chunk enriched');
    expect(enriched).toMatchObject({ run_id: '20240105T090000Z', chunk: 0, input_rows: 5 });
    const metrics = capture.metrics();
    expect(metrics[0]).toMatchObject({ BytesRead: gz.length, run_id: '20240105T090000Z' });
    expect(metrics.at(-1)).toMatchObject({ InputRows: 5, run_id: '20240105T090000Z' });
  });

  it('fails the invocation with the typed error, logged once', async () => {
    const store = new FsObjectStore(lake);
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'enrichment', sink: capture.sink });
    const handler = createHandler({ store, layout: createLakeLayout(localBuckets()), obs });
    const event = loadFixture<RunState>(FIXTURES, 'state-input');

    await expect(handler({ action: 'plan', run: event.run }, fakeLambdaContext())).rejects.toMatchObject({
      name: 'InvalidInputError',
      retryable: false,
    });
    expect(capture.logs().filter((line) => line['level'] === 'ERROR')).toHaveLength(1);
  });
});
