import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@ledgerlake/observability';
import { type PartWritten, type TaskEvent } from '@ledgerlake/contract';
import { readDecisions, workPartRef, writeDecisions, writeEnrichedPart } from '@ledgerlake/work-area';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, loadFixture, writeMapResults } from '@ledgerlake/testing';
import { createHandler } from '../../src';
import { workRow } from '../support/run-fixture';

describe('validation handler', () => {
  let lake: string;
  beforeEach(() => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-validation-'));
  });
  afterEach(() => {
    rmSync(lake, { recursive: true, force: true });
  });

  it('serves ValidatePart: one work part in, its PartValidation out, its row counts as metrics', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const event = loadFixture<TaskEvent<'ValidatePart'>>(join(__dirname, 'fixtures'), 'validate-part');
    const work = event.enrichment.work;
    await writeEnrichedPart(store, workPartRef(work, 'enriched', 0), [
      workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z']),
      workRow(['2', 'ACC002', '-25.50', 'EUR', '2024-01-12 09:00:00']),
      workRow(['3', 'ACC001', '1,00', 'EUR', '2024-01-06T09:00:00Z']),
      workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z']),
    ]);
    await writeDecisions(store, workPartRef(work, 'loop-prevention', 0), [
      { index: 3, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 repeats line 2 of the file' },
    ]);
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'validation', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, now: () => new Date('2024-02-01T00:01:00Z') });

    const result = await handler(event, fakeLambdaContext({ functionName: 'validation' }));

    expect(result).toEqual({ part: 0, valid_rows: 2, quarantined_rows: 1, quarantine_by_reason: { TYPE_ERROR: 1 } });
    expect([...(await readDecisions(store, workPartRef(work, 'validation', 0))).keys()]).toEqual([2]);
    expect(capture.logs().find((line) => line['message'] === 'part validated')).toMatchObject({ run_id: '20240201T000000Z', part: 0 });
    expect(capture.metrics()[0]).toMatchObject({ ValidRows: 2, QuarantinedRows: 1, InputRows: 4 });
    // The breaker is evaluated once per run, by CheckBreaker: validating a part records nothing in its window.
    expect(await store.head(layout.control.breakerWindow('20240201T000000Z'))).toBeUndefined();
  });

  it('serves CheckBreaker: every part summary read from the Map\'s results, the run\'s $.validation out, the run recorded in the window', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const fixture = loadFixture<Omit<TaskEvent<'CheckBreaker'>, 'parts'>>(join(__dirname, 'fixtures'), 'check-breaker');
    // The ProcessParts Map's output: where its ResultWriter put every part's summary.
    const summaries = loadFixture<PartWritten[]>(join(__dirname, 'fixtures'), 'part-summaries');
    const event: TaskEvent<'CheckBreaker'> = { ...fixture, parts: await writeMapResults(store, fixture.enrichment.part_results, summaries) };
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'validation', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, now: () => new Date('2024-02-01T00:03:00Z') });

    const result = await handler(event, fakeLambdaContext({ functionName: 'validation' }));

    expect(result).toEqual({ valid_rows: 5, quarantined_rows: 1, quarantine_by_reason: { TYPE_ERROR: 1 } });
    expect(JSON.parse(readFileSync(join(lake, 'artifacts/control/breaker-window/20240201T000000Z.json'), 'utf8'))).toMatchObject({
      processed: 7,
      failed_by_code: { TYPE_ERROR: 1, DUPLICATE_FAILURE: 1 },
    });
    expect(capture.logs().find((line) => line['message'] === 'breaker checked')).toMatchObject({ parts: 2, valid_rows: 5 });
  });

  it('rejects an event with an action it does not serve', async () => {
    const store = new FsObjectStore(lake);
    const obs = createObservability({ serviceName: 'validation', sink: captureSink().sink });
    const handler = createHandler({ store, layout: createLakeLayout(localBuckets()), obs });
    const event = { ...loadFixture<TaskEvent<'ValidatePart'>>(join(__dirname, 'fixtures'), 'validate-part'), action: 'write-part' };

    await expect(handler(event, fakeLambdaContext({ functionName: 'validation' }))).rejects.toThrow(/validate-part|check-breaker/);
  });
});
