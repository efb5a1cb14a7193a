import { writeRetryRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { decisionsAbout } from './facts';

const HASH = 'a'.repeat(64);

describe("a run report's runbook decisions", () => {
  it.each([
    ['a later second', '20240105T090001Z-aaaaaa'],
    // Run ids of one second order by their random suffix, not by time: the retry still counts.
    ['the same second, a suffix that sorts first', '20240105T090000Z-aaaaaa'],
  ])('lists a retry of the run\'s quarantined rows started in %s', async (_, retryRunId) => {
    const store = new MemoryObjectStore();
    const layout = createLakeLayout(localBuckets());
    const runId = '20240105T090000Z-zzzzzz';
    await writeRetryRecord(store, layout, {
      retry_run_id: retryRunId,
      source_run_id: runId,
      kind: 'quarantine',
      requested_by: 'dq-ana',
      requested_at: '2024-01-05T09:00:01.000Z',
      reason: null,
      error_filter: null,
      fixes_file: 'fixes.csv',
      approval_id: null,
      source: { bucket: layout.buckets.bronze, key: `mortgages/transactions/ingest_date=2024-01-05/retry-${retryRunId}-abcdef.csv` },
      rows: [{ row_hash: HASH, new_row_hash: 'b'.repeat(64), attempt_count: 1, validation_error: 'CURRENCY_ERROR', source_line: 2, fixed: true }],
    });

    expect(await decisionsAbout(store, layout, runId)).toEqual([
      { what: `retry of 1 quarantined row by run ${retryRunId} with fixes fixes.csv`, by: 'dq-ana', at: '2024-01-05T09:00:01.000Z', why: null },
    ]);
  });
});
