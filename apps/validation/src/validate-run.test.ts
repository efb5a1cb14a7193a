import { CircuitBreakerOpenError } from '@ledgerlake/domain';
import { readDecisions, recordAndEvaluateBreaker, workPartRef, type RunState } from '@ledgerlake/pipeline';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { RUN, seedRun, workRow } from '../tests/support/run-fixture';
import { DEFAULT_VALIDATION_SETTINGS, validateRun, type ValidationSettings } from './validate-run';

const layout = createLakeLayout(localBuckets());
const NOW = () => new Date('2024-02-01T00:05:00.000Z');
const VALID = ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'] as const;

function deps(store: MemoryObjectStore, settings: ValidationSettings = DEFAULT_VALIDATION_SETTINGS) {
  return { store, layout, settings, now: NOW };
}

async function decisionsOf(store: MemoryObjectStore, state: RunState, part = 0) {
  const work = state.enrichment?.work ?? { bucket: 'x', prefix: 'x/' };
  return [...(await readDecisions(store, workPartRef(work, 'validation', part))).values()];
}

describe('validateRun', () => {
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

    const result = await validateRun(state, deps(store));

    expect(result).toEqual({
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

    await validateRun(state, deps(store));

    expect((await decisionsOf(store, state)).map((d) => [d.code, d.detail.split(' ')[0]])).toEqual([
      ['SCHEMA_ERROR', 'record'],
      ['NULL_VALUE_ERROR', 'required'],
      ['TYPE_ERROR', 'TransactionID'],
      ['TYPE_ERROR', 'TransactionAmount'],
      ['CURRENCY_ERROR', 'Currency'],
      ['TIMESTAMP_ERROR', 'TransactionTimestamp'],
    ]);
  });

  it('skips the rows loop prevention condemned', async () => {
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

    const result = await validateRun(state, deps(store));

    expect(result).toEqual({ valid_rows: 1, quarantined_rows: 0, quarantine_by_reason: {} });
    expect(await decisionsOf(store, state)).toEqual([]);
  });

  it('keeps decisions per work part, indexed within the part', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [[workRow([...VALID]), workRow(['1', 'A', '1.00', 'XXX', 'bad'])], [workRow(['1', 'A', 'x', 'EUR', 'bad'])]],
    });

    await validateRun(state, deps(store));

    expect((await decisionsOf(store, state, 0)).map((d) => [d.index, d.code])).toEqual([[1, 'CURRENCY_ERROR']]);
    expect((await decisionsOf(store, state, 1)).map((d) => [d.index, d.code])).toEqual([[0, 'TYPE_ERROR']]);
  });

  it('checks currencies against the configured allowlist', async () => {
    const store = new MemoryObjectStore();
    const state = await seedRun(store, layout, {
      parts: [[workRow([...VALID]), workRow(['2', 'A', '1.00', 'XTS', '2024-01-05T09:00:00Z'])]],
    });

    const result = await validateRun(state, deps(store, { ...DEFAULT_VALIDATION_SETTINGS, rules: { ...DEFAULT_VALIDATION_SETTINGS.rules, currencies: ['XTS'] } }));

    expect(result.quarantine_by_reason).toEqual({ CURRENCY_ERROR: 1 });
    expect((await decisionsOf(store, state))[0]?.detail).toBe('Currency "EUR": is not in the allowlist (XTS)');
  });

  it('opens the circuit breaker when one code fails too many rows of the window', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 1000 }, (_, i) =>
      i < 150 ? workRow([`${i}`, 'A', 'oops', 'EUR', '2024-01-05T09:00:00Z']) : workRow([`${i}`, 'A', '1.00', 'EUR', '2024-01-05T09:00:00Z']),
    );
    const state = await seedRun(store, layout, { parts: [rows] });

    const run = validateRun(state, deps(store));

    await expect(run).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(run).rejects.toMatchObject({ name: 'CircuitBreakerOpenError', code: 'TYPE_ERROR', failed: 150 });
  });

  it('counts condemned rows towards the breaker too', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 1000 }, (_, i) => workRow([`${i}`, 'A', '1.00', 'EUR', '2024-01-05T09:00:00Z']));
    const condemned = Array.from({ length: 150 }, (_, index) => ({
      index,
      code: 'DUPLICATE_FAILURE' as const,
      detail: 'already published',
    }));
    const state = await seedRun(store, layout, { parts: [rows], condemned: [condemned] });

    await expect(validateRun(state, deps(store))).rejects.toMatchObject({ code: 'DUPLICATE_FAILURE', failed: 150 });
  });

  it('counts the failures of earlier runs in the window', async () => {
    const store = new MemoryObjectStore();
    await recordAndEvaluateBreaker(store, layout, {
      runId: '20240131T234000Z',
      at: new Date('2024-01-31T23:40:00.000Z'),
      processed: 1000,
      failedByCode: { TYPE_ERROR: 80 },
    });
    const rows = Array.from({ length: 1000 }, (_, i) =>
      workRow([`${i}`, 'A', i < 80 ? 'oops' : '1.00', 'EUR', '2024-01-05T09:00:00Z']),
    );
    const state = await seedRun(store, layout, { parts: [rows] });

    // 80 failures alone stay under 100 rows; with the earlier run's 80 the window has 160 of 2000 (8 %).
    await expect(validateRun(state, deps(store))).rejects.toMatchObject({ code: 'TYPE_ERROR', failed: 160, processed: 2000 });
  });

  it('keeps the breaker closed when failures stay under the rate threshold', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 3000 }, (_, i) =>
      workRow([`${i}`, 'A', i < 120 ? 'oops' : '1.00', 'EUR', '2024-01-05T09:00:00Z']),
    );
    const state = await seedRun(store, layout, { parts: [rows] });

    const result = await validateRun(state, deps(store));

    expect(result).toEqual({ valid_rows: 2880, quarantined_rows: 120, quarantine_by_reason: { TYPE_ERROR: 120 } });
  });

  it('refuses a state without the earlier stages', async () => {
    const store = new MemoryObjectStore();

    await expect(validateRun({ run: RUN }, deps(store))).rejects.toThrow('validation: the state has no enrichment result');
  });
});
