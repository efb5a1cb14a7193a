import { RunbookRefusedError } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import { recordCondemnedDecision, writeRetryRecord } from '@ledgerlake/ledgers';
import { readDecisions, workPartRef } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';
import { micros, numbered, prepareRun, publish, tx } from '../tests/support/run-fixture';
import { preventLoops } from './prevent-loops';

const layout = createLakeLayout(localBuckets());
const NOW = () => new Date('2024-03-01T09:01:00Z');
const RETRY_RUN = '20240301T090000Z';

async function decisionsOf(store: ObjectStore, state: RunState) {
  if (state.enrichment === undefined) throw new Error('no enrichment result');
  return [...(await readDecisions(store, workPartRef(state.enrichment.work, 'loop-prevention', 0))).values()];
}

describe('preventLoops in a backfill', () => {
  it('does not condemn keys of the month it rebuilds, and still condemns keys published in other months', async () => {
    const store = new MemoryObjectStore();
    await publish(store, layout, { year: 2024, month: 1 }, '20240104T090000Z', [{ id: 1n, txDate: micros('2024-01-05T09:00:00Z') }]);
    await publish(store, layout, { year: 2024, month: 2 }, '20240204T090000Z', [{ id: 2n, txDate: micros('2024-02-05T09:00:00Z') }]);
    const state = await prepareRun(store, layout, numbered([[tx('1', '2024-01-05T09:00:00Z'), tx('2', '2024-02-05T09:00:00Z')]]), {
      runId: 'backfill-20240301T090000Z',
    });
    const backfill: RunState = { ...state, run: { ...state.run, mode: 'backfill', backfill_month: '2024-01' } };

    const result = await preventLoops(backfill, { store, layout, now: NOW });

    expect(result).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { DUPLICATE_FAILURE: 1 } });
    expect(await decisionsOf(store, backfill)).toEqual([
      { index: 1, code: 'DUPLICATE_FAILURE', detail: 'TransactionID 2 on 2024-02-05 is already published (run 20240204T090000Z)' },
    ]);
  });
});

describe('preventLoops in a retry of approved condemned rows', () => {
  async function approvedRetry(store: ObjectStore, approvedHash: string) {
    const state = await prepareRun(
      store,
      layout,
      numbered([[tx('1', '2024-01-05T09:00:00Z', { attemptCount: 4 }), tx('2', '2024-01-05T09:00:00Z', { attemptCount: 4 })]]),
      { runId: RETRY_RUN },
    );
    await recordCondemnedDecision(store, layout, {
      decision_id: 'approve-1',
      decision: 'approve',
      run_id: '20240201T090000Z',
      by: 'alice',
      reason: 'counterparty confirmed the row',
      at: NOW().toISOString(),
      rows: [{ row_hash: approvedHash, validation_error: 'MAX_ATTEMPTS', attempt_count: 3, source_line: 2 }],
      retry_run_id: RETRY_RUN,
    });
    await writeRetryRecord(store, layout, {
      retry_run_id: RETRY_RUN,
      source_run_id: '20240201T090000Z',
      kind: 'approval',
      requested_by: 'alice',
      requested_at: NOW().toISOString(),
      reason: 'counterparty confirmed the row',
      error_filter: null,
      fixes_file: null,
      approval_id: 'approve-1',
      source: state.run.source,
      rows: [{ row_hash: approvedHash, new_row_hash: approvedHash, attempt_count: 4, validation_error: 'MAX_ATTEMPTS', source_line: 2, fixed: false }],
    });
    return state;
  }

  it('lets the approved row past the attempt limit and condemns the row no one approved', async () => {
    const store = new MemoryObjectStore();
    const approvedHash = tx('1', '2024-01-05T09:00:00Z').rowHash;
    const state = await approvedRetry(store, approvedHash);
    const retry: RunState = { ...state, run: { ...state.run, mode: 'retry', approval_id: 'approve-1' } };

    const result = await preventLoops(retry, { store, layout, now: NOW });

    expect(result).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { MAX_ATTEMPTS: 1 } });
    expect((await decisionsOf(store, retry)).map((d) => d.index)).toEqual([1]);
  });

  it('fails a run that names an approval nobody recorded', async () => {
    const store = new MemoryObjectStore();
    const state = await prepareRun(store, layout, numbered([[tx('1', '2024-01-05T09:00:00Z', { attemptCount: 4 })]]), { runId: RETRY_RUN });
    const retry: RunState = { ...state, run: { ...state.run, mode: 'retry', approval_id: 'approve-forged' } };

    await expect(preventLoops(retry, { store, layout, now: NOW })).rejects.toBeInstanceOf(RunbookRefusedError);
  });

  it('without an approval, keeps condemning rows at the limit in a retry run', async () => {
    const store = new MemoryObjectStore();
    const state = await approvedRetry(store, tx('1', '2024-01-05T09:00:00Z').rowHash);
    const retry: RunState = { ...state, run: { ...state.run, mode: 'retry' } };

    expect(await preventLoops(retry, { store, layout, now: NOW })).toMatchObject({ condemned_rows: 2 });
  });
});
