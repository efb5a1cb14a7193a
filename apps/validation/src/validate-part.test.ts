import { CircuitBreakerOpenError } from '@ledgerlake/domain';
import {
  WorkPartSchema,
  type EnrichmentResult,
  type LoopPreventionResult,
  type RunState,
  type TaskEvent,
} from '@ledgerlake/contract';
import { recordAndEvaluateBreaker } from '@ledgerlake/ledgers';
import { readDecisions, readMapItems, workPartRef } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { seedRun, workRow } from '../tests/support/run-fixture';
import { DEFAULT_VALIDATION_SETTINGS } from './settings';
import { validatePart } from './validate-part';

const layout = createLakeLayout(localBuckets());
const NOW = () => new Date('2024-02-01T00:05:00.000Z');
const deps = (store: MemoryObjectStore) => ({ store, layout, settings: DEFAULT_VALIDATION_SETTINGS, now: NOW });

/** The ValidatePart event of the `part`-th enriched part, as the ProcessParts Map hands it to its child. */
async function partEvent(store: MemoryObjectStore, state: RunState, part: number): Promise<TaskEvent<'ValidatePart'>> {
  const enrichment = state.enrichment as EnrichmentResult;
  const parts = await readMapItems(store, enrichment.part_manifest, WorkPartSchema, 'enriched part');
  return {
    action: 'validate-part',
    run: state.run,
    enrichment,
    loop_prevention: state.loop_prevention as LoopPreventionResult,
    part: parts[part] as (typeof parts)[number],
  };
}

async function twoPartRun(store: MemoryObjectStore): Promise<RunState> {
  return seedRun(store, layout, {
    parts: [
      [workRow(['1', 'A', '1.00', 'EUR', '2024-01-05T09:00:00Z']), workRow(['2', 'A', '1.00', 'XXX', '2024-01-05T09:00:00Z'])],
      [
        workRow(['3', 'A', 'x', 'EUR', '2024-01-05T09:00:00Z']),
        workRow(['4', 'A', '2.00', 'EUR', '2024-01-05T09:00:00Z']),
        workRow(['5', 'A', '1.00', 'EUR', 'bad']),
        workRow(['6', 'A', '1.00', 'EUR', 'bad']),
      ],
    ],
    condemned: [[], [{ index: 3, code: 'MAX_ATTEMPTS', detail: 'attempt_count 3 reached the limit 3' }]],
  });
}

const VALID = ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'] as const;

async function decisionsOf(store: MemoryObjectStore, state: RunState, part = 0) {
  return [...(await readDecisions(store, workPartRef((state.enrichment as EnrichmentResult).work, 'validation', part))).values()];
}

describe('validatePart', () => {
  it('passes valid rows and quarantines each failing check with its code and a readable detail', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [
        [
          workRow([...VALID]),
          workRow(['2', 'ACC001', '1.00', 'EUR', null], { schemaProblem: 'record has 4 fields; the header has 5' }),
          workRow(['3', '', '1.00', 'EUR', '2024-01-05T09:00:00Z']),
          workRow(['4x', 'ACC001', '1.00', 'EUR', '2024-01-05T09:00:00Z']),
          workRow(['5', 'ACC001', '1.00', 'eur', '2024-01-05T09:00:00Z']),
          workRow(['6', 'ACC001', '1.00', 'EUR', '2024-01-05 09:00']),
          workRow(['7', 'ACC002', '-25.50', 'GBP', '2024-01-12 09:00:00']),
        ],
      ],
    });

    const result = await validatePart(await partEvent(store, state, 0), deps(store));

    expect(result).toEqual({
      part: 0,
      valid_rows: 2,
      quarantined_rows: 5,
      quarantine_by_reason: {
        SCHEMA_ERROR: 1,
        NULL_VALUE_ERROR: 1,
        TYPE_ERROR: 1,
        CURRENCY_ERROR: 1,
        TIMESTAMP_ERROR: 1,
      },
    });
    expect(await decisionsOf(store, state)).toEqual([
      { index: 1, code: 'SCHEMA_ERROR', detail: 'record has 4 fields; the header has 5' },
      { index: 2, code: 'NULL_VALUE_ERROR', detail: 'required field(s) empty: CustomerID' },
      { index: 3, code: 'TYPE_ERROR', detail: expect.stringMatching(/^TransactionID "4x": /) },
      { index: 4, code: 'CURRENCY_ERROR', detail: expect.stringContaining('did you mean "EUR"?') },
      { index: 5, code: 'TIMESTAMP_ERROR', detail: 'TransactionTimestamp "2024-01-05 09:00": has no seconds; expected HH:MM:SS' },
    ]);
  });

  it('names the first failing check when a row fails several', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [
        [
          workRow(['x', '', '1.234', 'eur', 'bad'], { schemaProblem: 'record has 6 fields; the header has 5' }),
          workRow(['x', '', '1.234', 'eur', 'bad']),
          workRow(['x', 'A', '1.234', 'eur', 'bad']),
          workRow(['1', 'A', '1.234', 'eur', 'bad']),
          workRow(['1', 'A', '1.23', 'eur', 'bad']),
          workRow(['1', 'A', '1.23', 'EUR', 'bad']),
        ],
      ],
    });

    await validatePart(await partEvent(store, state, 0), deps(store));

    expect((await decisionsOf(store, state)).map((d) => [d.code, d.detail.split(' ')[0]])).toEqual([
      ['SCHEMA_ERROR', 'record'],
      ['NULL_VALUE_ERROR', 'required'],
      ['TYPE_ERROR', 'TransactionID'],
      ['TYPE_ERROR', 'TransactionAmount'],
      ['CURRENCY_ERROR', 'Currency'],
      ['TIMESTAMP_ERROR', 'TransactionTimestamp'],
    ]);
  });

  it('skips the rows loop prevention condemned: no decision for them, however bad', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [[workRow([...VALID]), workRow(['bad', '', '', '', '']), workRow([...VALID])]],
      condemned: [
        [
          { index: 1, code: 'MAX_ATTEMPTS', detail: 'attempt_count 3 reached the limit 3' },
          { index: 2, code: 'DUPLICATE_FAILURE', detail: 'business key 1|2024-01-05 is already published' },
        ],
      ],
    });

    const result = await validatePart(await partEvent(store, state, 0), deps(store));

    expect(result).toEqual({ part: 0, valid_rows: 1, quarantined_rows: 0, quarantine_by_reason: {} });
    expect(await decisionsOf(store, state)).toEqual([]);
  });

  it('checks currencies against the configured allowlist', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [[workRow([...VALID]), workRow(['2', 'A', '1.00', 'XTS', '2024-01-05T09:00:00Z'])]],
    });
    const settings = { ...DEFAULT_VALIDATION_SETTINGS, rules: { ...DEFAULT_VALIDATION_SETTINGS.rules, currencies: ['XTS'] } };

    const result = await validatePart(await partEvent(store, state, 0), { store, layout, settings, now: NOW });

    expect(result.quarantine_by_reason).toEqual({ CURRENCY_ERROR: 1 });
    expect((await decisionsOf(store, state))[0]?.detail).toBe('Currency "EUR": is not in the allowlist (XTS)');
  });

  it("applies the configured row rules, with the future measured from the run's start, not from the clock", async () => {
    const store = new MemoryObjectStore();
    // The run started 2024-02-01T00:00:00Z; its work is validated much later (NOW is irrelevant).
    const state = await seedRun(store, layout, {
      parts: [
        [
          workRow(['1', 'ACC001', '1.00', 'EUR', '2024-02-01T23:59:59Z']),
          workRow(['2', 'ACC001', '1.00', 'EUR', '2024-02-02T00:00:01Z']),
          workRow(['3', 'X-1', '1.00', 'EUR', '2024-01-05T09:00:00Z']),
          workRow(['4', 'ACC\u200b1', '1.00', 'EUR', '2024-01-05T09:00:00Z']),
        ],
      ],
    });
    const settings = { ...DEFAULT_VALIDATION_SETTINGS, rules: { ...DEFAULT_VALIDATION_SETTINGS.rules, accountIdPattern: 'ACC\\d+' } };

    await validatePart(await partEvent(store, state, 0), { store, layout, settings, now: () => new Date('2031-01-01T00:00:00Z') });

    const decisions = [...(await readDecisions(store, workPartRef((state.enrichment as EnrichmentResult).work, 'validation', 0))).values()];
    expect(decisions).toEqual([
      { index: 1, code: 'TIMESTAMP_ERROR', detail: expect.stringContaining('to 2024-02-02T00:00:00Z') },
      { index: 2, code: 'TYPE_ERROR', detail: 'CustomerID "X-1": does not match the account id pattern ACC\\d+' },
      { index: 3, code: 'TYPE_ERROR', detail: 'CustomerID "ACC\\u200b1": contains U+200B ZERO WIDTH SPACE at position 4' },
    ]);
  });

  it("validates one part's rows, skipping the condemned ones, and returns that part's counts", async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);

    const result = await validatePart(await partEvent(store, state, 1), deps(store));

    expect(result).toEqual({ part: 1, valid_rows: 1, quarantined_rows: 2, quarantine_by_reason: { TYPE_ERROR: 1, TIMESTAMP_ERROR: 1 } });
  });

  it("writes only that part's decisions file, indexed within the part", async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const work = (state.enrichment as EnrichmentResult).work;

    await validatePart(await partEvent(store, state, 1), deps(store));

    const decisions = await readDecisions(store, workPartRef(work, 'validation', 1));
    expect([...decisions.values()].map((d) => [d.index, d.code])).toEqual([
      [0, 'TYPE_ERROR'],
      [2, 'TIMESTAMP_ERROR'],
    ]);
    expect(await store.head(workPartRef(work, 'validation', 0))).toBeUndefined();
  });

  it('refuses to validate while the circuit breaker is open, writing nothing', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    await recordAndEvaluateBreaker(store, layout, {
      runId: '20240131T235000Z',
      at: new Date('2024-01-31T23:50:00.000Z'),
      processed: 1000,
      failedByCode: { TYPE_ERROR: 500 },
    });

    await expect(validatePart(await partEvent(store, state, 0), deps(store))).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    expect(await store.head(workPartRef((state.enrichment as EnrichmentResult).work, 'validation', 0))).toBeUndefined();
  });

  it('refuses a part numbered beyond the run’s enriched parts', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const event = { ...(await partEvent(store, state, 0)), part: { part: 7, rows: 2 } };

    await expect(validatePart(event, deps(store))).rejects.toThrow(
      "ValidatePart: the event is not valid: part: work part 7 (2 rows) is not one of run 20240201T000000Z's enriched parts (numbered below 2)",
    );
  });

  it('refuses a run loop prevention ended', async () => {
    const store = new MemoryObjectStore();
    const state = await twoPartRun(store);
    const event: TaskEvent<'ValidatePart'> = {
      ...(await partEvent(store, state, 0)),
      loop_prevention: { status: 'DUPLICATE_FILE', duplicate_of: 'x', condemned_rows: 0, condemned_by_reason: {} },
    };

    await expect(validatePart(event, deps(store))).rejects.toThrow('loop prevention ended the run (DUPLICATE_FILE)');
  });
});
