import { ObjectConflictError, SuccessMarkerSchema } from '@ledgerlake/domain';
import { type PartWritten, type RunState } from '@ledgerlake/contract';
import { RunManifestSchema } from '@ledgerlake/lake';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { finishEvent, sections, writePartEvent } from '../tests/support/part-events';
import { RUN, seedValidatedRun, workRow } from '../tests/support/run-fixture';
import { finishRun } from './finish-run';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps } from './settings';
import { writePart } from './write-part';

const layout = createLakeLayout(localBuckets());
const JAN = { year: 2024, month: 1 };
const FEB = { year: 2024, month: 2 };

function deps(store: MemoryObjectStore, finished = '2024-05-01T00:10:00.000Z'): PartitionWriterDeps {
  return { store, layout, settings: DEFAULT_PARTITION_WRITER_SETTINGS, now: () => new Date(finished) };
}

async function writtenRun(store: MemoryObjectStore): Promise<{ state: RunState; parts: PartWritten[] }> {
  const state = await seedValidatedRun(store, layout, {
    parts: [
      [
        workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 2 }),
        workRow(['2', 'ACC002', '-25.50', 'EUR', '2024-02-12 09:00:00'], { line: 3 }),
      ],
      [
        workRow(['3', 'ACC001', '1,00', 'EUR', '2024-01-06T09:00:00Z'], { line: 4 }),
        workRow(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'], { line: 5 }),
        workRow(['4', 'ACC003', '7.50', 'USD', '2024-01-31T23:30:00Z'], { line: 6 }),
      ],
    ],
    condemned: [[], [{ index: 1, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 repeats line 2' }]],
  });
  const parts: PartWritten[] = [];
  for (const part of [1, 0]) parts.push(await writePart(await writePartEvent(store, state, part), deps(store)));
  return { state, parts };
}

const json = async (store: MemoryObjectStore, ref: { bucket: string; key: string }) =>
  JSON.parse(Buffer.from((await store.getBytes(ref)) ?? []).toString()) as unknown;

describe('finishRun', () => {
  it('reconciles counts and exact amounts over all parts against the input', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);

    const result = await finishRun(await finishEvent(store, state, parts), deps(store));

    expect(result.counts).toEqual({ input_rows: 5, valid_rows: 3, quarantined_rows: 1, condemned_rows: 1 });
    expect(result.amounts).toEqual({ input_minor: '58200', valid_minor: '28200', quarantined_minor: '0', condemned_minor: '30000' });
    expect(result.quarantine_by_reason).toEqual({ TYPE_ERROR: 1 });
    expect(result.condemned_by_reason).toEqual({ DUPLICATE_FAILURE: 1 });
    expect(result.critical_errors).toEqual([]);
  });

  it("seals each Silver month with a _SUCCESS listing that month's objects of every part", async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);

    const result = await finishRun(await finishEvent(store, state, parts), deps(store));

    const january = [layout.silver.runPart(JAN, RUN.run_id, 0).key, layout.silver.runPart(JAN, RUN.run_id, 1).key];
    const manifest = RunManifestSchema.parse(await json(store, result.manifest));
    expect(manifest.partitions.map((p) => [p.month, p.rows, p.files])).toEqual([
      [1, 2, january],
      [2, 1, [layout.silver.runPart(FEB, RUN.run_id, 0).key]],
    ]);
    // The state carries each month's totals; its files are listed in the manifest only.
    expect(result.partitions).toEqual([
      { year: 2024, month: 1, rows: 2, file_count: 2 },
      { year: 2024, month: 2, rows: 1, file_count: 1 },
    ]);
    const marker = SuccessMarkerSchema.parse(await json(store, layout.silver.runSuccess(JAN, RUN.run_id)));
    expect(marker).toMatchObject({ files: january, counts: result.counts, amounts: result.amounts, critical_errors: [] });
    expect(manifest).toMatchObject({ run: RUN, content_sha256: 'a'.repeat(64), counts: result.counts });
  });

  it('records a critical error when the parts do not add up to the input', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    const { enrichment } = sections(state);
    const tampered = { ...(await finishEvent(store, state, parts)), enrichment: { ...enrichment, input_rows: 6, input_amount: '582.01' } };

    const result = await finishRun(tampered, deps(store));

    expect(result.critical_errors).toEqual([
      'reconciliation: input_rows 6 != valid_rows 3 + quarantined_rows 1 + condemned_rows 1 (= 5)',
      'reconciliation: input_minor 58201 != valid_minor 28200 + quarantined_minor 0 + condemned_minor 30000 (= 58200)',
    ]);
  });

  it('records a critical error when the summary the state carried differs from the stored result', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    const forged = parts.map((p) => (p.part === 0 ? { ...p, counts: { ...p.counts, valid_rows: 3 } } : p));

    const result = await finishRun(await finishEvent(store, state, forged), deps(store));

    expect(result.critical_errors).toEqual([expect.stringMatching(/^work part 0: the summary the state carried .* differs from its stored result/)]);
  });

  it('refuses to finish when a part has no written result, sealing nothing', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    const part1 = parts.find((p) => p.part === 1) as PartWritten;
    await store.delete(part1.result);

    await expect(finishRun(await finishEvent(store, state, parts), deps(store))).rejects.toThrow(
      'partition-writer: cannot finish run 20240501T000000Z: work part(s) 1 of 2 have no written result',
    );
    expect(await store.head(layout.silver.runSuccess(JAN, RUN.run_id))).toBeUndefined();
    expect(await store.head(layout.artifacts.manifest(RUN.run_id))).toBeUndefined();
  });

  it('refuses to finish when the Map output lacks a part', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);

    await expect(finishRun(await finishEvent(store, state, parts.filter((p) => p.part !== 0)), deps(store))).rejects.toThrow(
      'work part(s) 0 of 2 have no written result',
    );
  });

  it('returns the same result when retried after it finished, leaving the markers untouched', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    const first = await finishRun(await finishEvent(store, state, parts), deps(store));
    const success = layout.silver.runSuccess(JAN, RUN.run_id);
    const before = [(await store.head(success))?.etag, (await store.head(first.manifest))?.etag];

    const again = await finishRun(await finishEvent(store, state, parts), deps(store, '2024-05-01T00:20:00.000Z'));

    expect(again).toEqual(first);
    expect([(await store.head(success))?.etag, (await store.head(first.manifest))?.etag]).toEqual(before);
  });

  it('completes a retry that finds some of its own _SUCCESS markers already written', async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    const first = await finishRun(await finishEvent(store, state, parts), deps(store));
    await store.delete(first.manifest);
    const january = await store.head(layout.silver.runSuccess(JAN, RUN.run_id));

    const again = await finishRun(await finishEvent(store, state, parts), deps(store));

    expect(again.counts).toEqual(first.counts);
    expect(await store.head(first.manifest)).toBeDefined();
    expect((await store.head(layout.silver.runSuccess(JAN, RUN.run_id)))?.etag).toBe(january?.etag);
  });

  it("refuses a Silver folder sealed by another execution's _SUCCESS", async () => {
    const store = new MemoryObjectStore();
    const { state, parts } = await writtenRun(store);
    await store.put(layout.silver.runSuccess(FEB, RUN.run_id), JSON.stringify({ run_id: RUN.run_id, execution_arn: 'arn:other' }));

    await expect(finishRun(await finishEvent(store, state, parts), deps(store))).rejects.toBeInstanceOf(ObjectConflictError);
    expect(await store.head(layout.artifacts.manifest(RUN.run_id))).toBeUndefined();
  });
});
