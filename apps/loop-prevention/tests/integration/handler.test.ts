import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@ledgerlake/observability';
import { type RunState } from '@ledgerlake/contract';
import { readLedgerEntry } from '@ledgerlake/ledgers';
import { readDecisions, workPartRef, writeEnrichedPart, writePartManifest } from '@ledgerlake/work-area';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, loadFixture } from '@ledgerlake/testing';
import { createHandler } from '../../src';
import { micros, publish, tx } from '../support/run-fixture';

describe('loop-prevention handler', () => {
  let lake: string;
  beforeEach(() => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-loop-prevention-'));
  });
  afterEach(() => {
    rmSync(lake, { recursive: true, force: true });
  });

  it('checks the run in the middy chain and returns the $.loop_prevention section', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const event = loadFixture<RunState>(join(__dirname, 'fixtures'), 'state-input');
    const work = event.enrichment?.work ?? { bucket: '', prefix: '' };
    await writeEnrichedPart(store, workPartRef(work, 'enriched', 0), [
      { ...tx('1', '2024-01-05T09:00:00Z'), sourceLine: 2 },
      { ...tx('2', '2024-01-05T09:00:00Z'), sourceLine: 3 },
    ]);
    await writeEnrichedPart(store, workPartRef(work, 'enriched', 1), [
      { ...tx('2', '2024-01-05T17:00:00Z'), sourceLine: 4 },
      { ...tx('3', '2024-01-05T09:00:00Z'), sourceLine: 5, attemptCount: 3 },
    ]);
    await writePartManifest(store, work, [
      { part: 0, rows: 2 },
      { part: 1, rows: 2 },
    ]);
    await publish(store, layout, { year: 2024, month: 1 }, '20240104T090000Z', [{ id: 1n, txDate: micros('2024-01-05T08:00:00Z') }]);
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'loop-prevention', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, now: () => new Date('2024-01-05T09:01:00Z') });

    const result = await handler(event, fakeLambdaContext({ functionName: 'loop-prevention' }));

    expect(result).toEqual({ status: 'CONTINUE', condemned_rows: 3, condemned_by_reason: { DUPLICATE_FAILURE: 2, MAX_ATTEMPTS: 1 } });
    expect([...(await readDecisions(store, workPartRef(work, 'loop-prevention', 0))).values()]).toEqual([
      { index: 0, code: 'DUPLICATE_FAILURE', detail: 'TransactionID 1 on 2024-01-05 is already published (run 20240104T090000Z)' },
    ]);
    expect([...(await readDecisions(store, workPartRef(work, 'loop-prevention', 1))).values()].map((d) => d.code)).toEqual([
      'DUPLICATE_FAILURE',
      'MAX_ATTEMPTS',
    ]);
    expect(await readLedgerEntry(store, layout, event.enrichment?.content_sha256 ?? '')).toMatchObject({ status: 'claimed', run_id: '20240105T090000Z' });
    const log = capture.logs().find((line) => line['message'] === 'loop prevention finished');
    expect(log).toMatchObject({ run_id: '20240105T090000Z', execution_arn: event.run.execution_arn, condemned_rows: 3 });
    const [metrics] = capture.metrics();
    expect(metrics).toMatchObject({ CondemnedRows: 3, InputRows: 4, run_id: '20240105T090000Z' });

    // The same content again, from another run: a no-op.
    const again = await handler({ ...event, run: { ...event.run, run_id: '20240105T100000Z' } }, fakeLambdaContext());
    expect(again).toEqual({ status: 'DUPLICATE_FILE', duplicate_of: '20240105T090000Z', duplicate_status: 'claimed', condemned_rows: 0, condemned_by_reason: {} });
  });
});
