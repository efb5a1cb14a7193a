import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@ledgerlake/observability';
import { type PartitionWriterResult, type PartWritten, type RunState, type TaskEvent } from '@ledgerlake/contract';
import { RunManifestSchema } from '@ledgerlake/lake';
import {
  ValidatedPartBuilder,
  workPartRef,
  writeDecisions,
  writeValidatedPart,
  writeEnrichedPart,
  writePartManifest,
} from '@ledgerlake/work-area';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { captureSink, fakeLambdaContext, loadFixture, writeMapResults } from '@ledgerlake/testing';
import { snappyCompressor } from 'hysnappy';
import { createHandler } from '../../src';
import { workRow } from '../support/run-fixture';

describe('partition-writer handler', () => {
  let lake: string;
  beforeEach(() => {
    lake = mkdtempSync(join(tmpdir(), 'ledgerlake-partition-writer-'));
  });
  afterEach(() => {
    rmSync(lake, { recursive: true, force: true });
  });

  it('serves WritePart then FinishRun with the WASM compressor: a part summary out of the Map, the run sealed after it', async () => {
    const store = new FsObjectStore(lake);
    const layout = createLakeLayout(localBuckets());
    const state = loadFixture<RunState>(join(__dirname, 'fixtures'), 'state-input');
    const work = state.enrichment?.work ?? { bucket: '', prefix: '' };
    await writeEnrichedPart(store, workPartRef(work, 'enriched', 0), [
      workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 2 }),
      workRow(['2', 'ACC002', '-25.50', 'EUR', '2024-02-12 09:00:00'], { line: 3 }),
      workRow(['3', 'ACC001', '1,00', 'EUR', '2024-01-06T09:00:00Z'], { line: 4 }),
      workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 5 }),
    ]);
    await writePartManifest(store, work, [{ part: 0, rows: 4 }]);
    await writeDecisions(store, workPartRef(work, 'loop-prevention', 0), [
      { index: 3, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 repeats line 2' },
    ]);
    await writeDecisions(store, workPartRef(work, 'validation', 0), [
      { index: 2, code: 'TYPE_ERROR', detail: 'TransactionAmount "1,00": contains the separator ","' },
    ]);
    const validated = new ValidatedPartBuilder(4);
    const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
    validated.valid({ ok: true, id: 1n, amountMinor: 30000n, txMicros: micros('2024-01-05T09:00:00Z'), year: 2024, month: 1 });
    validated.valid({ ok: true, id: 2n, amountMinor: -2550n, txMicros: micros('2024-02-12T09:00:00Z'), year: 2024, month: 2 });
    validated.quarantined();
    validated.condemned();
    await writeValidatedPart(store, workPartRef(work, 'validated', 0), validated.build());
    const capture = captureSink();
    const obs = createObservability({ serviceName: 'partition-writer', sink: capture.sink });
    const handler = createHandler({ store, layout, obs, compressor: snappyCompressor(), now: () => new Date('2024-05-01T00:02:00Z') });
    const writeEvent = loadFixture<TaskEvent<'WritePart'>>(join(__dirname, 'fixtures'), 'write-part');

    const summary = (await handler(writeEvent, fakeLambdaContext({ functionName: 'partition-writer' }))) as PartWritten;
    const finishFixture = loadFixture<Omit<TaskEvent<'FinishRun'>, 'parts'>>(join(__dirname, 'fixtures'), 'finish');
    // The ProcessParts Map's output: where its ResultWriter put the part's summary.
    const finishEvent: TaskEvent<'FinishRun'> = { ...finishFixture, parts: await writeMapResults(store, finishFixture.enrichment.part_results, [summary]) };
    const result = (await handler(finishEvent, fakeLambdaContext({ functionName: 'partition-writer' }))) as PartitionWriterResult;

    expect(summary).toEqual({
      part: 0,
      counts: { input_rows: 4, valid_rows: 2, quarantined_rows: 1, condemned_rows: 1 },
      quarantine_by_reason: { TYPE_ERROR: 1 },
      condemned_by_reason: { DUPLICATE_FAILURE: 1 },
      result: { bucket: 'artifacts', key: 'work/20240501T000000Z/written/part-00000.json' },
    });
    expect(JSON.stringify(summary).length).toBeLessThan(1024);
    expect(result.counts).toEqual(summary.counts);
    expect(result.critical_errors).toEqual([]);
    expect(result.partitions.map((p) => [p.month, p.file_count])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    const manifest = RunManifestSchema.parse(JSON.parse(Buffer.from((await store.getBytes(result.manifest)) ?? []).toString()));
    expect(manifest.partitions.map((p) => [p.month, p.files])).toEqual([
      [1, ['mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=20240501T000000Z/part-00000.parquet']],
      [2, ['mortgages/transactions/year=2024/month=02/schema_v=v1/run_id=20240501T000000Z/part-00000.parquet']],
    ]);
    const [partMetrics, finishMetrics] = capture.metrics();
    expect(partMetrics).toMatchObject({ InputRows: 4, ValidRows: 2, QuarantinedRows: 1, CondemnedRows: 1 });
    expect(finishMetrics).not.toHaveProperty('InputRows');
    expect(capture.logs().find((line) => line['message'] === 'part written')).toMatchObject({ part: 0 });
    expect(capture.logs().find((line) => line['message'] === 'partitions written')).toMatchObject({ counts: result.counts });
  });
});
