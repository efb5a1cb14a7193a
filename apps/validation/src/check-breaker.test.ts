import { CircuitBreakerOpenError } from '@ledgerlake/domain';
import {
  WorkPartSchema,
  type EnrichmentResult,
  type LoopPreventionResult,
  type PartWritten,
  type RunState,
  type TaskEvent,
} from '@ledgerlake/contract';
import { BreakerWindowEntrySchema, readBreakerState, recordAndEvaluateBreaker } from '@ledgerlake/ledgers';
import { readDecisions, mapResultsPrefix, readMapItems, workPartRef, writePartManifest } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { writeMapResults } from '@ledgerlake/testing';
import { RUN, seedRun, workRow } from '../tests/support/run-fixture';
import { checkBreaker } from './check-breaker';
import { DEFAULT_VALIDATION_SETTINGS } from './settings';
import { validatePart } from './validate-part';

const layout = createLakeLayout(localBuckets());
const NOW = () => new Date('2024-02-01T00:05:00.000Z');
const deps = (store: MemoryObjectStore) => ({ store, layout, settings: DEFAULT_VALIDATION_SETTINGS, now: NOW });

/** A part's summary as WritePart returns it. */
function written(part: number, rows: number, quarantine: Record<string, number>, condemned: Record<string, number> = {}): PartWritten {
  const quarantined = Object.values(quarantine).reduce((a, b) => a + b, 0);
  const condemnedRows = Object.values(condemned).reduce((a, b) => a + b, 0);
  return {
    part,
    counts: { input_rows: rows, valid_rows: rows - quarantined - condemnedRows, quarantined_rows: quarantined, condemned_rows: condemnedRows },
    quarantine_by_reason: quarantine,
    condemned_by_reason: condemned,
    result: layout.artifacts.workObject(RUN.run_id, `written/part-${String(part).padStart(5, '0')}.json`),
  };
}

const WORK = { bucket: layout.artifacts.workPrefix(RUN.run_id).bucket, prefix: layout.artifacts.workPrefix(RUN.run_id).prefix };

/**
 * The CheckBreaker event of a run whose ProcessParts Map returned `parts` (written as its result
 * files), `enriched` parts long (default: as many as the distinct parts given).
 */
async function event(store: MemoryObjectStore, parts: PartWritten[], enriched = new Set(parts.map((p) => p.part)).size): Promise<TaskEvent<'CheckBreaker'>> {
  const enrichment: EnrichmentResult = {
    source_file_id: 's3://bronze/a.csv#etag',
    content_sha256: 'a'.repeat(64),
    bytes_read: 100,
    header: ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'],
    extra_columns: [],
    input_rows: parts.reduce((n, p) => n + p.counts.input_rows, 0),
    input_amount: '0.00',
    work: WORK,
    ...(await writePartManifest(store, WORK, Array.from({ length: enriched }, (_, part) => ({ part, rows: 1 })))),
  };
  return { action: 'check-breaker', run: RUN, enrichment, parts: await writeMapResults(store, mapResultsPrefix(WORK, 'parts'), parts) };
}

describe('checkBreaker', () => {
  it('sums the parts: failures each part alone keeps under the threshold trip the breaker together', async () => {
    const store = new MemoryObjectStore();
    const parts = [0, 1, 2].map((part) => written(part, 400, { TYPE_ERROR: 50 }));

    const run = checkBreaker(await event(store, parts), deps(store));

    await expect(run).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(run).rejects.toMatchObject({ code: 'TYPE_ERROR', failed: 150, processed: 1200 });
    expect((await readBreakerState(store, layout)).state).toBe('open');
  });

  it('counts the condemned rows of every part towards the breaker too', async () => {
    const store = new MemoryObjectStore();
    const parts = [written(0, 1000, {}, { DUPLICATE_FAILURE: 60 }), written(1, 1000, { TYPE_ERROR: 1 }, { DUPLICATE_FAILURE: 60 })];

    await expect(checkBreaker(await event(store, parts), deps(store))).rejects.toMatchObject({ code: 'DUPLICATE_FAILURE', failed: 120 });
  });

  it("returns the run's $.validation summed over the parts and records the run once in the window", async () => {
    const store = new MemoryObjectStore();
    const parts = [written(1, 300, { TYPE_ERROR: 2, SCHEMA_ERROR: 1 }), written(0, 200, { TYPE_ERROR: 3 }, { MAX_ATTEMPTS: 4 })];

    const result = await checkBreaker(await event(store, parts), deps(store));

    expect(result).toEqual({ valid_rows: 490, quarantined_rows: 6, quarantine_by_reason: { TYPE_ERROR: 5, SCHEMA_ERROR: 1 } });
    const entry = BreakerWindowEntrySchema.parse(
      JSON.parse(Buffer.from((await store.getBytes(layout.control.breakerWindow(RUN.run_id))) ?? []).toString()),
    );
    expect(entry).toMatchObject({ run_id: RUN.run_id, processed: 500, failed_by_code: { TYPE_ERROR: 5, SCHEMA_ERROR: 1, MAX_ATTEMPTS: 4 } });
  });

  it('refuses a part listed twice', async () => {
    const store = new MemoryObjectStore();

    await expect(checkBreaker(await event(store, [written(0, 10, {}), written(0, 10, {})]), deps(store))).rejects.toThrow(
      "validation: work part 0 appears twice in run 20240201T000000Z's parts",
    );
  });

  it('refuses results that lack a part of the run, recording nothing in the window', async () => {
    const store = new MemoryObjectStore();

    await expect(checkBreaker(await event(store, [written(0, 10, {}), written(1, 10, {})], 3), deps(store))).rejects.toThrow(
      'validation: run 20240201T000000Z has 3 enriched parts, but 2 were written',
    );
    expect(await store.head(layout.control.breakerWindow(RUN.run_id))).toBeUndefined();
  });
});

describe('a run validated part by part, then checked', () => {
  async function seed(store: MemoryObjectStore): Promise<RunState> {
    const rows = (from: number, bad: number) =>
      Array.from({ length: 40 }, (_, i) =>
        workRow([`${from + i}`, 'A', i < bad ? 'oops' : '1.00', i % 7 === 0 ? 'eur' : 'EUR', '2024-01-05T09:00:00Z']),
      );
    return seedRun(store, layout, {
      parts: [rows(0, 5), rows(100, 0), rows(200, 12)],
      condemned: [[{ index: 39, code: 'DUPLICATE_FAILURE', detail: 'repeat' }], [], [{ index: 0, code: 'MAX_ATTEMPTS', detail: 'limit' }]],
    });
  }

  /** Validates every part in `order` as the ProcessParts Map does, then checks the breaker as CheckBreaker does. */
  async function validateInOrder(store: MemoryObjectStore, state: RunState, order: (parts: number[]) => number[]) {
    const enrichment = state.enrichment as EnrichmentResult;
    const summaries: PartWritten[] = [];
    const parts = await readMapItems(store, enrichment.part_manifest, WorkPartSchema, 'enriched part');
    for (const index of order(parts.map((_, i) => i))) {
      const part = parts[index] as (typeof parts)[number];
      const validated = await validatePart(
        { action: 'validate-part', run: state.run, enrichment, loop_prevention: state.loop_prevention as LoopPreventionResult, part },
        deps(store),
      );
      const condemned = (await readDecisions(store, workPartRef(enrichment.work, 'loop-prevention', part.part))).size;
      summaries.push({
        ...written(part.part, part.rows, validated.quarantine_by_reason),
        counts: { input_rows: part.rows, valid_rows: validated.valid_rows, quarantined_rows: validated.quarantined_rows, condemned_rows: condemned },
        condemned_by_reason: condemned > 0 ? { [part.part === 0 ? 'DUPLICATE_FAILURE' : 'MAX_ATTEMPTS']: condemned } : {},
      });
    }
    const results = await writeMapResults(store, enrichment.part_results, summaries);
    return checkBreaker({ action: 'check-breaker', run: state.run, enrichment, parts: results }, deps(store));
  }

  it('gives the same decisions, $.validation and window entry whatever the order of the parts', async () => {
    const inOrder = new MemoryObjectStore();
    const state = await seed(inOrder);
    const expected = await validateInOrder(inOrder, state, (parts) => parts);

    const reversed = new MemoryObjectStore();
    await seed(reversed);
    const result = await validateInOrder(reversed, state, (parts) => [...parts].reverse());

    // Part 0: 5 bad amounts, 5 more lower-case currencies, 1 condemned; part 1: 6 currencies; part 2: 11 bad amounts (its first row condemned), 4 currencies, 1 condemned.
    expect(expected).toEqual({ valid_rows: 87, quarantined_rows: 31, quarantine_by_reason: { TYPE_ERROR: 16, CURRENCY_ERROR: 15 } });
    expect(result).toEqual(expected);
    for (const { part } of await readMapItems(inOrder, (state.enrichment as EnrichmentResult).part_manifest, WorkPartSchema, 'enriched part')) {
      const ref = workPartRef((state.enrichment as EnrichmentResult).work, 'validation', part);
      expect(Buffer.from((await reversed.getBytes(ref)) ?? []).toString()).toBe(Buffer.from((await inOrder.getBytes(ref)) ?? []).toString());
    }
    const entry = async (store: MemoryObjectStore) => JSON.parse(Buffer.from((await store.getBytes(layout.control.breakerWindow(RUN.run_id))) ?? []).toString());
    expect(await entry(reversed)).toEqual(await entry(inOrder));
    expect(await entry(inOrder)).toMatchObject({ processed: 120, failed_by_code: { TYPE_ERROR: 16, CURRENCY_ERROR: 15, DUPLICATE_FAILURE: 1, MAX_ATTEMPTS: 1 } });
  });

  it('counts the failures of earlier runs in the window', async () => {
    const store = new MemoryObjectStore();
    await recordAndEvaluateBreaker(store, layout, {
      runId: '20240131T234000Z',
      at: new Date('2024-01-31T23:40:00.000Z'),
      processed: 1000,
      failedByCode: { TYPE_ERROR: 80 },
    });
    const rows = Array.from({ length: 1000 }, (_, i) => workRow([`${i}`, 'A', i < 80 ? 'oops' : '1.00', 'EUR', '2024-01-05T09:00:00Z']));
    const state = await seedRun(store, layout, { parts: [rows] });

    // 80 failures alone stay under 100 rows; with the earlier run's 80 the window has 160 of 2000 (8 %).
    await expect(validateInOrder(store, state, (parts) => parts)).rejects.toMatchObject({ code: 'TYPE_ERROR', failed: 160, processed: 2000 });
  });

  it('keeps the breaker closed when failures stay under the rate threshold', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 3000 }, (_, i) => workRow([`${i}`, 'A', i < 120 ? 'oops' : '1.00', 'EUR', '2024-01-05T09:00:00Z']));
    const state = await seedRun(store, layout, { parts: [rows] });

    const result = await validateInOrder(store, state, (parts) => parts);

    expect(result).toEqual({ valid_rows: 2880, quarantined_rows: 120, quarantine_by_reason: { TYPE_ERROR: 120 } });
    expect((await readBreakerState(store, layout)).state).toBe('closed');
  });
});
