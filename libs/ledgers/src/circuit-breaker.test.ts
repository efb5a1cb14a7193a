import { CircuitBreakerOpenError, parseRate } from '@ledgerlake/domain';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import {
  assertBreakerClosed,
  BreakerStateSchema,
  readBreakerState,
  recordAndEvaluateBreaker,
  resetBreaker,
  type BreakerRunStats,
} from './circuit-breaker';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const layout = createLakeLayout(localBuckets());
const T0 = new Date('2025-03-01T10:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function setup() {
  const store = new MemoryObjectStore();
  const evaluate = (over: Partial<BreakerRunStats> & { runId: string }) =>
    recordAndEvaluateBreaker(store, layout, { at: T0, processed: 1000, failedByCode: {}, ...over });
  return { store, evaluate };
}

describe('circuit breaker', () => {
  it('is closed when it was never written', async () => {
    const { store } = setup();
    await expect(assertBreakerClosed(store, layout)).resolves.toBeUndefined();
    expect((await readBreakerState(store, layout)).state).toBe('closed');
  });

  it('trips when one code failed more than 100 rows and more than 5 % of the processed rows', async () => {
    const { store, evaluate } = setup();
    const verdict = await evaluate({ runId: '20250301T100000Z', processed: 2000, failedByCode: { TYPE_ERROR: 101 } });
    expect(verdict).toMatchObject({ open: true, code: 'TYPE_ERROR', failed: 101, processed: 2000, alreadyOpen: false });
    const state = BreakerStateSchema.parse(JSON.parse(Buffer.from(must(await store.getBytes(layout.control.circuitBreaker()))).toString()));
    expect(state).toMatchObject({ state: 'open', opened_by_run: '20250301T100000Z', code: 'TYPE_ERROR', failed: 101, window_minutes: 60 });
  });

  it('stays closed at exactly 100 failed rows (the row threshold is "more than")', async () => {
    const { evaluate } = setup();
    const verdict = await evaluate({ runId: '20250301T100000Z', processed: 200, failedByCode: { TYPE_ERROR: 100 } });
    expect(verdict.open).toBe(false);
  });

  it('stays closed when the failures are not more than 5 % of the processed rows', async () => {
    const { evaluate } = setup();
    const atRate = await evaluate({ runId: '20250301T100000Z', processed: 10_000, failedByCode: { CURRENCY_ERROR: 500 } });
    expect(atRate.open).toBe(false);
  });

  it('trips on the rate once it is crossed with enough rows', async () => {
    const { evaluate } = setup();
    const verdict = await evaluate({ runId: '20250301T100000Z', processed: 10_000, failedByCode: { CURRENCY_ERROR: 501 } });
    expect(verdict).toMatchObject({ open: true, code: 'CURRENCY_ERROR', failed: 501 });
  });

  it('does not add up different codes', async () => {
    const { evaluate } = setup();
    const verdict = await evaluate({
      runId: '20250301T100000Z',
      processed: 1000,
      failedByCode: { TYPE_ERROR: 90, CURRENCY_ERROR: 90, DUPLICATE_FAILURE: 90 },
    });
    expect(verdict.open).toBe(false);
  });

  it('sums the runs of the window', async () => {
    const { evaluate } = setup();
    const first = await evaluate({ runId: '20250301T093000Z', at: minutes(-30), processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    expect(first.open).toBe(false);
    const second = await evaluate({ runId: '20250301T100000Z', processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    expect(second).toMatchObject({ open: true, code: 'TIMESTAMP_ERROR', failed: 120, processed: 1200, runs: 2 });
  });

  it('ignores runs older than the window', async () => {
    const { evaluate } = setup();
    await evaluate({ runId: '20250301T085900Z', at: minutes(-61), processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    const verdict = await evaluate({ runId: '20250301T100000Z', processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    expect(verdict).toMatchObject({ open: false, processed: 600, runs: 1 });
  });

  it('ignores runs evaluated after this one', async () => {
    const { evaluate } = setup();
    await evaluate({ runId: '20250301T100500Z', at: minutes(5), processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    const verdict = await evaluate({ runId: '20250301T100000Z', processed: 600, failedByCode: { TIMESTAMP_ERROR: 60 } });
    expect(verdict).toMatchObject({ open: false, runs: 1 });
  });

  it('counts a run evaluated twice (a retry) once', async () => {
    const { evaluate } = setup();
    await evaluate({ runId: '20250301T100000Z', processed: 600, failedByCode: { TYPE_ERROR: 60 } });
    const again = await evaluate({ runId: '20250301T100000Z', processed: 600, failedByCode: { TYPE_ERROR: 60 } });
    expect(again).toMatchObject({ open: false, processed: 600, runs: 1 });
  });

  it('uses the configured thresholds', async () => {
    const { evaluate } = setup();
    const limits = { windowMinutes: 10, tripAboveFailedRows: 5, tripAboveFailedRate: parseRate('0.5') };
    expect((await evaluate({ runId: '20250301T100000Z', processed: 10, failedByCode: { TYPE_ERROR: 5 }, limits })).open).toBe(false);
    expect((await evaluate({ runId: '20250301T100000Z', processed: 10, failedByCode: { TYPE_ERROR: 6 }, limits })).open).toBe(true);
  });

  it('compares the rate exactly: 29 failed of 100 rows is not more than 29 % (a float product says 28.999…)', async () => {
    const { evaluate } = setup();
    const limits = { tripAboveFailedRows: 10, tripAboveFailedRate: parseRate('0.29') };
    expect((await evaluate({ runId: '20250301T100000Z', processed: 100, failedByCode: { TYPE_ERROR: 29 }, limits })).open).toBe(false);
    expect((await evaluate({ runId: '20250301T100000Z', processed: 100, failedByCode: { TYPE_ERROR: 30 }, limits })).open).toBe(true);
  });

  it('latches: later runs refuse to start and every evaluation says open until a reset', async () => {
    const { store, evaluate } = setup();
    await evaluate({ runId: '20250301T100000Z', processed: 1000, failedByCode: { NULL_VALUE_ERROR: 200 } });
    const check = assertBreakerClosed(store, layout);
    await expect(check).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    await expect(check).rejects.toMatchObject({ name: 'CircuitBreakerOpenError', code: 'NULL_VALUE_ERROR', failed: 200, retryable: false });
    const clean = await evaluate({ runId: '20250301T101000Z', at: minutes(10), processed: 1000, failedByCode: {} });
    expect(clean).toMatchObject({ open: true, alreadyOpen: true, code: 'NULL_VALUE_ERROR' });
  });

  it('resets: closes, records who, when and why, and restarts the window', async () => {
    const { store, evaluate } = setup();
    await evaluate({ runId: '20250301T100000Z', processed: 1000, failedByCode: { NULL_VALUE_ERROR: 200 } });
    const state = await resetBreaker(store, layout, { by: 'alice', reason: 'upstream export fixed', at: minutes(5) });
    expect(state.state).toBe('closed');
    expect(state.reset).toEqual([{ by: 'alice', reason: 'upstream export fixed', at: minutes(5).toISOString() }]);
    await expect(assertBreakerClosed(store, layout)).resolves.toBeUndefined();
    const next = await evaluate({ runId: '20250301T101000Z', at: minutes(10), processed: 1000, failedByCode: { NULL_VALUE_ERROR: 10 } });
    expect(next).toMatchObject({ open: false, processed: 1000, runs: 1, windowStart: minutes(5).toISOString() });
  });

  it('keeps the reset history across trips', async () => {
    const { store, evaluate } = setup();
    await evaluate({ runId: '20250301T100000Z', processed: 1000, failedByCode: { TYPE_ERROR: 200 } });
    await resetBreaker(store, layout, { by: 'alice', reason: 'first', at: minutes(1) });
    await evaluate({ runId: '20250301T100200Z', at: minutes(2), processed: 1000, failedByCode: { TYPE_ERROR: 200 } });
    const state = await resetBreaker(store, layout, { by: 'bob', reason: 'second', at: minutes(3) });
    expect(state.reset.map((r) => r.by)).toEqual(['alice', 'bob']);
  });

  it('refuses a reset without who or why', async () => {
    const { store } = setup();
    await expect(resetBreaker(store, layout, { by: ' ', reason: 'x' })).rejects.toThrow(/non-empty/);
    await expect(resetBreaker(store, layout, { by: 'alice', reason: '' })).rejects.toThrow(/non-empty/);
  });

  it('opens once when two runs trip it at the same time', async () => {
    const { store, evaluate } = setup();
    const [a, b] = await Promise.all([
      evaluate({ runId: '20250301T100000Z-a', processed: 1000, failedByCode: { TYPE_ERROR: 300 } }),
      evaluate({ runId: '20250301T100000Z-b', processed: 1000, failedByCode: { TYPE_ERROR: 300 } }),
    ]);
    expect(a.open && b.open).toBe(true);
    const state = await readBreakerState(store, layout);
    expect(['20250301T100000Z-a', '20250301T100000Z-b']).toContain(state.opened_by_run);
  });

  it('rejects nonsensical thresholds', async () => {
    const { evaluate } = setup();
    await expect(evaluate({ runId: '20250301T100000Z', limits: { tripAboveFailedRate: { numerator: 5n, denominator: 1n } } })).rejects.toThrow(
      /tripAboveFailedRate must be within 0..1/,
    );
    await expect(evaluate({ runId: '20250301T100000Z', limits: { windowMinutes: 0 } })).rejects.toThrow(/windowMinutes/);
  });
});
