import { ObjectConflictError } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import { ValidatedPartBuilder, workPartRef, writeDecisions, writeValidatedPart } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { writePartEvent, sections } from '../tests/support/part-events';
import { RUN, seedValidatedRun, workRow } from '../tests/support/run-fixture';
import { partResultRef, PartResultSchema } from './part-result';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps } from './settings';
import { writePart } from './write-part';

const layout = createLakeLayout(localBuckets());
const INGEST = '2024-05-01';

function deps(store: MemoryObjectStore, maxRowsPerFile = 4_000_000): PartitionWriterDeps {
  const parquet = { ...DEFAULT_PARTITION_WRITER_SETTINGS.parquet, rowGroupRows: Math.min(2, maxRowsPerFile), maxBufferedRows: 4, maxRowsPerFile };
  return { store, layout, settings: { ...DEFAULT_PARTITION_WRITER_SETTINGS, parquet }, now: () => new Date('2024-05-01T00:10:00Z') };
}

function twoPartRun(store: MemoryObjectStore): Promise<RunState> {
  return seedValidatedRun(store, layout, {
    parts: [
      [workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 2 })],
      [
        workRow(['2', 'ACC002', '-25.50', 'EUR', '2024-02-12 09:00:00'], { line: 3 }),
        workRow(['3', 'ACC001', '1,00', 'EUR', '2024-01-06T09:00:00Z'], { line: 4 }),
        workRow(['4', 'ACC003', '7.50', 'USD', '2024-01-31T23:30:00Z'], { line: 5 }),
        workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 6 }),
        workRow(['5', 'ACC003', '0.01', 'USD', '2024-01-02T00:00:00Z'], { line: 7 }),
      ],
    ],
    condemned: [[], [{ index: 3, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 repeats line 2' }]],
  });
}

async function keysUnder(store: MemoryObjectStore, bucket: string, prefix: string): Promise<string[]> {
  return (await store.list(bucket, prefix)).objects.map((o) => o.key);
}

describe('writePart', () => {
  it("writes one part's rows only, numbered like the part, and returns a small summary", async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);

    const summary = await writePart(await writePartEvent(store, state, 1), deps(store));

    expect(summary).toEqual({
      part: 1,
      counts: { input_rows: 5, valid_rows: 3, quarantined_rows: 1, condemned_rows: 1 },
      quarantine_by_reason: { TYPE_ERROR: 1 },
      condemned_by_reason: { DUPLICATE_FAILURE: 1 },
      result: partResultRef(layout, RUN.run_id, 1),
    });
    expect(await keysUnder(store, 'silver', '')).toEqual([
      layout.silver.runPart({ year: 2024, month: 1 }, RUN.run_id, 1).key,
      layout.silver.runPart({ year: 2024, month: 2 }, RUN.run_id, 1).key,
    ]);
    expect(await keysUnder(store, 'quarantine', '')).toEqual([
      layout.condemned.runPart(INGEST, RUN.run_id, 1).key,
      layout.quarantine.runPart(INGEST, RUN.run_id, 1).key,
    ]);
    // Nothing is sealed or published by a part.
    expect(await store.head(layout.silver.runSuccess({ year: 2024, month: 1 }, RUN.run_id))).toBeUndefined();
    expect(await store.head(layout.artifacts.manifest(RUN.run_id))).toBeUndefined();
  });

  it("stores the part's full result: files per month, exact amounts, hashes, nothing to report", async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);

    const summary = await writePart(await writePartEvent(store, state, 1), deps(store));

    const result = PartResultSchema.parse(JSON.parse(Buffer.from((await store.getBytes(summary.result)) ?? []).toString()));
    expect(result).toMatchObject({
      run_id: RUN.run_id,
      part: 1,
      counts: summary.counts,
      amounts: { valid_minor: '-1799', quarantined_minor: '0', condemned_minor: '30000' },
      silver: [
        { year: 2024, month: 1, rows: 2, files: [layout.silver.runPart({ year: 2024, month: 1 }, RUN.run_id, 1).key] },
        { year: 2024, month: 2, rows: 1, files: [layout.silver.runPart({ year: 2024, month: 2 }, RUN.run_id, 1).key] },
      ],
      quarantine_files: [layout.quarantine.runPart(INGEST, RUN.run_id, 1)],
      condemned_files: [layout.condemned.runPart(INGEST, RUN.run_id, 1)],
      problems: [],
    });
    expect(Object.keys(result.quarantine_hashes)).toEqual(['2024-01']);
    expect(result.quarantine_hashes['2024-01']).toHaveLength(1);
  });

  it("files each quarantined row's hash under the UTC month of its timestamp, or under unknown", async () => {
    const store = new MemoryObjectStore();
    const state = await seedValidatedRun(store, layout, {
      parts: [
        [
          workRow(['1', 'ACC001', '1.00', 'XXX', '2024-02-01T00:30:00+01:00'], { line: 2 }),
          workRow(['2', 'ACC001', '1.00', 'EUR', 'yesterday'], { line: 3 }),
          workRow(['3', 'ACC001', '1.00', 'XXX', '2024-03-01T09:00:00Z'], { line: 4 }),
        ],
      ],
    });

    const summary = await writePart(await writePartEvent(store, state, 0), deps(store));

    const result = PartResultSchema.parse(JSON.parse(Buffer.from((await store.getBytes(summary.result)) ?? []).toString()));
    expect(summary.counts.quarantined_rows).toBe(3);
    expect(Object.fromEntries(Object.entries(result.quarantine_hashes).map(([month, hashes]) => [month, hashes.length]))).toEqual({
      '2024-01': 1,
      unknown: 1,
      '2024-03': 1,
    });
  });

  it('numbers further objects of a part p + n × P, so parallel parts never collide', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const january = { year: 2024, month: 1 };

    // Part 1 has 2 January rows; with one row per file it needs 2 objects: 1 and 1 + 1 × 2.
    await writePart(await writePartEvent(store, state, 1), deps(store, 1));
    await writePart(await writePartEvent(store, state, 0), deps(store, 1));

    expect(await keysUnder(store, 'silver', layout.silver.runPrefix(january, RUN.run_id).prefix)).toEqual([
      layout.silver.runPart(january, RUN.run_id, 0).key,
      layout.silver.runPart(january, RUN.run_id, 1).key,
      layout.silver.runPart(january, RUN.run_id, 3).key,
    ]);
  });

  it('applies the decisions validation left without checking a row again: Silver gets the typed values validation wrote', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const { work } = sections(state).enrichment;
    // Part 1 as validation would leave it had it read "1,00" (line 4) as 1.00 in March: the writer takes its word.
    const validated = new ValidatedPartBuilder(5);
    validated.valid({ ok: true, id: 2n, amountMinor: -2550n, txMicros: 1707728400000000n, year: 2024, month: 2 });
    validated.valid({ ok: true, id: 3n, amountMinor: 100n, txMicros: 1709283600000000n, year: 2024, month: 3 });
    validated.quarantined();
    validated.condemned();
    validated.valid({ ok: true, id: 5n, amountMinor: 1n, txMicros: 1704153600000000n, year: 2024, month: 1 });
    await writeValidatedPart(store, workPartRef(work, 'validated', 1), validated.build());
    await writeDecisions(store, workPartRef(work, 'validation', 1), [{ index: 2, code: 'CURRENCY_ERROR', detail: 'as validation said' }]);

    const summary = await writePart(await writePartEvent(store, state, 1), deps(store));

    expect(summary.counts).toEqual({ input_rows: 5, valid_rows: 3, quarantined_rows: 1, condemned_rows: 1 });
    expect(summary.quarantine_by_reason).toEqual({ CURRENCY_ERROR: 1 });
    const result = PartResultSchema.parse(JSON.parse(Buffer.from((await store.getBytes(summary.result)) ?? []).toString()));
    expect(result.silver.map(({ year, month, rows }) => ({ year, month, rows }))).toEqual([
      { year: 2024, month: 1, rows: 1 },
      { year: 2024, month: 2, rows: 1 },
      { year: 2024, month: 3, rows: 1 },
    ]);
    expect(result.amounts.valid_minor).toBe(String(-2550n + 100n + 1n));
    expect(result.problems).toEqual([]);
  });

  it('records it as a problem when a row validation did not pass has no decision in the work area: nothing of the run is published', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    await writeDecisions(store, workPartRef(sections(state).enrichment.work, 'validation', 1), []);

    const summary = await writePart(await writePartEvent(store, state, 1), deps(store));

    const result = PartResultSchema.parse(JSON.parse(Buffer.from((await store.getBytes(summary.result)) ?? []).toString()));
    expect(result.problems).toEqual(['work part 1: 1 row(s) with no decision in the work area (lines 4)']);
  });

  it('refuses a part validation has not left its validated rows for', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const ref = workPartRef(sections(state).enrichment.work, 'validated', 1);
    await store.delete(ref);

    await expect(writePart(await writePartEvent(store, state, 1), deps(store))).rejects.toThrow(`validated work part ${ref.bucket}/${ref.key} does not exist`);
  });

  it('gives the same objects and the same result when retried', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const event = await writePartEvent(store, state, 1);
    const first = await writePart(event, deps(store));
    const snapshot = async () =>
      Promise.all(
        ['silver', 'quarantine', 'artifacts'].flatMap(async (bucket) =>
          Promise.all(
            (await keysUnder(store, bucket, '')).map(async (key) => [bucket, key, Buffer.from((await store.getBytes({ bucket, key })) ?? []).toString('hex')]),
          ),
        ),
      );
    const before = await snapshot();

    const again = await writePart(event, deps(store));

    expect(again).toEqual(first);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a part of a run that already finished', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    await store.put(layout.artifacts.manifest(RUN.run_id), '{}');

    await expect(writePart(await writePartEvent(store, state, 0), deps(store))).rejects.toBeInstanceOf(ObjectConflictError);
    expect(await keysUnder(store, 'silver', '')).toEqual([]);
  });

  it("refuses another part's validation result", async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const event = await writePartEvent(store, state, 0);

    await expect(writePart({ ...event, validation: { ...event.validation, part: 1 } }, deps(store))).rejects.toThrow(
      'WritePart: the event is not valid: validation.part: the validation of work part 1 given for work part 0',
    );
  });
});
