import { createHash } from 'node:crypto';
import { rowFields, type RowFields as RowHashFields, RunbookRefusedError, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { claimFile } from './processed-file-ledger';
import type { RejectedRow } from '@ledgerlake/lake';
import { type RetryCandidate, retryFileText, rowHashOf, submitRetry } from './retry-submission';
import { RunRecordSchema, writeRunRecordIfAbsent } from './run-record';
import {
  type CondemnedDecision,
  quarantinedRowStatus,
  readCondemnedDecision,
  readCondemnedRowDecision,
  readRetryClaim,
  readRetryRecord,
  recordCondemnedDecision,
  type RetryClaim,
  retryRunGone,
} from './runbook-ledger';

const layout = createLakeLayout(localBuckets());
const SOURCE_RUN = '20240105T090000Z-aaaaaa';
const AT = new Date('2024-01-06T10:00:00Z');

function rejected(fields: RowHashFields, attempt = 0): RejectedRow {
  return {
    fields,
    validation_error: 'CURRENCY_ERROR',
    error_detail: 'Currency "eur" is not in the allowlist',
    row_hash: rowHashOf(fields),
    source_file_id: 's3://bronze/a.csv#etag',
    source_line: 2,
    attempt_count: attempt,
    run_id: SOURCE_RUN,
  };
}

const BAD: RowHashFields = rowFields(['1', 'ACC001', '10.00', 'eur', '2024-01-05T09:00:00Z']);
const FIXED: RowHashFields = rowFields(['1', 'ACC001', '10.00', 'EUR', '2024-01-05T09:00:00Z']);

function submission(retryRunId: string, candidates: RetryCandidate[] = [{ row: rejected(BAD), fields: FIXED, fixed: true }]) {
  return {
    sourceRunId: SOURCE_RUN,
    retryRunId,
    kind: 'quarantine' as const,
    requestedBy: 'dq-team',
    reason: null,
    errorFilter: null,
    fixesFile: 'fixes.csv',
    approvalId: null,
    at: AT,
    candidates,
  };
}

describe('submitRetry', () => {
  it('claims the row for its next attempt, lands the retry file in Bronze and records the retry', async () => {
    const store = new MemoryObjectStore();

    const { source, record } = await submitRetry(store, layout, submission('20240106T100000Z-bbbbbb'));

    expect(source.key).toBe('mortgages/transactions/ingest_date=2024-01-06/retry-20240106T100000Z-bbbbbb.csv');
    expect(Buffer.from((await store.getBytes(source)) ?? []).toString('utf8')).toBe(
      `TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,attempt_count,retry_of_row_hash\n` +
        `1,ACC001,10.00,EUR,2024-01-05T09:00:00Z,1,${rowHashOf(BAD)}\n`,
    );
    expect(record.rows).toEqual([
      { row_hash: rowHashOf(BAD), new_row_hash: rowHashOf(FIXED), attempt_count: 1, validation_error: 'CURRENCY_ERROR', source_line: 2, fixed: true },
    ]);
    expect(await readRetryRecord(store, layout, '20240106T100000Z-bbbbbb')).toEqual(record);
    expect(await readRetryClaim(store, layout, rowHashOf(BAD), 1)).toMatchObject({ retry_run_id: '20240106T100000Z-bbbbbb' });
  });

  it('refuses a second retry of the same row for the same attempt, and leaves no claim of its own behind', async () => {
    const store = new MemoryObjectStore();
    await submitRetry(store, layout, submission('20240106T100000Z-bbbbbb'));
    const other = rejected(rowFields(['2', 'ACC001', '1.00', 'eur', '2024-01-05T09:00:00Z']));

    const second = submitRetry(store, layout, submission('20240106T100500Z-cccccc', [{ row: other, fields: other.fields, fixed: false }, { row: rejected(BAD), fields: BAD, fixed: false }]));

    await expect(second).rejects.toBeInstanceOf(RunbookRefusedError);
    await expect(second).rejects.toThrow(/already retried for the same attempt: .*retry run 20240106T100000Z-bbbbbb/);
    expect(await readRetryClaim(store, layout, other.row_hash, 1)).toBeUndefined();
  });

  it.each([
    ['failed', { status: 'FAILED', failed_at: AT.toISOString(), error: 'CircuitBreakerOpenError', cause: 'open' }],
    ['was interrupted', { status: 'INTERRUPTED', interrupted_at: AT.toISOString(), signal: 'SIGINT', state: 'ProcessParts' }],
    [
      'was blocked',
      {
        status: 'BLOCKED',
        blocked_at: AT.toISOString(),
        counts: { input_rows: 1, valid_rows: 0, quarantined_rows: 1, condemned_rows: 0 },
        quarantine_by_reason: { CURRENCY_ERROR: 1 },
        reasons: ['critical error: counts do not reconcile'],
      },
    ],
  ] as const)('lets a retry take over the claim of a retry run that %s', async (_how, ended) => {
    const store = new MemoryObjectStore();
    await submitRetry(store, layout, submission('20240106T100000Z-bbbbbb'));
    const record = { run_id: '20240106T100000Z-bbbbbb', execution_arn: 'arn:local', dataset: 'mortgages/transactions', mode: 'retry', started_at: AT.toISOString() };
    await writeRunRecordIfAbsent(store, layout, RunRecordSchema.parse({ ...record, source: { bucket: 'bronze', key: 'x.csv' }, counts: {}, ...ended }));

    await submitRetry(store, layout, submission('20240106T101000Z-dddddd'));

    expect(await readRetryClaim(store, layout, rowHashOf(BAD), 1)).toMatchObject({
      retry_run_id: '20240106T101000Z-dddddd',
      previous_runs: ['20240106T100000Z-bbbbbb'],
    });
  });

  it('refuses to take over the claim of a retry run that is still running', async () => {
    const store = new MemoryObjectStore();
    await submitRetry(store, layout, submission('20240106T100000Z-bbbbbb'));

    await expect(submitRetry(store, layout, submission('20240106T101000Z-dddddd'))).rejects.toThrow(/retry run 20240106T100000Z-bbbbbb/);
  });

  it('writes a missing field empty and quotes what needs quoting', () => {
    expect(retryFileText(TRANSACTIONS_DATASET, [{ fields: rowFields(['1', 'A,B', 'x"y', null, 't']), attempt: 2, retryOf: 'h' }])).toBe(
      'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,attempt_count,retry_of_row_hash\n1,"A,B","x""y",,t,2,h\n',
    );
  });
});

describe('quarantinedRowStatus', () => {
  const claim = { retry_run_id: '20240106T100000Z-bbbbbb' };

  it.each([
    ['OPEN', undefined, undefined, undefined],
    ['RETRYING', claim, undefined, undefined],
    ['OPEN', claim, 'FAILED', undefined],
    ['OPEN', claim, 'BLOCKED', 'quarantined'],
    ['OPEN', claim, 'INTERRUPTED', undefined],
    ['RESOLVED', claim, 'PUBLISHED', undefined],
    ['REQUARANTINED', claim, 'PUBLISHED', 'quarantined'],
    ['CONDEMNED', claim, 'PUBLISHED', 'condemned'],
  ] as const)('is %s for claim %j, retry run %s, re-submitted row %s', (expected, held, status, rejectedAs) => {
    expect(quarantinedRowStatus(held, status === undefined ? undefined : { status }, rejectedAs)).toBe(expected);
  });
});

describe('a retry run that died without a record', () => {
  const RETRY_RUN = '20240106T100000Z-bbbbbb';
  const minutes = (n: number) => new Date(AT.getTime() + n * 60_000);

  it('holds its rows while it may still be going, and is gone once its lease ran out: the next retry takes the rows over', async () => {
    const store = new MemoryObjectStore();
    await submitRetry(store, layout, submission(RETRY_RUN));
    const claim = (await readRetryClaim(store, layout, rejected(BAD).row_hash, 1)) as RetryClaim;

    expect(await retryRunGone(store, layout, claim, { at: minutes(5) })).toBe(false);
    await expect(submitRetry(store, layout, { ...submission('20240106T100500Z-cccccc'), watch: { at: minutes(5) } })).rejects.toThrow(RunbookRefusedError);
    expect(await retryRunGone(store, layout, claim, { at: minutes(31) })).toBe(true);
    expect(quarantinedRowStatus(claim, undefined, undefined, true)).toBe('OPEN');

    const { record } = await submitRetry(store, layout, { ...submission('20240106T103100Z-cccccc', [{ row: rejected(BAD), fields: FIXED, fixed: true }]), watch: { at: minutes(31) } });
    expect(record.retry_run_id).toBe('20240106T103100Z-cccccc');
    expect(await readRetryClaim(store, layout, rejected(BAD).row_hash, 1)).toMatchObject({ retry_run_id: '20240106T103100Z-cccccc', previous_runs: [RETRY_RUN] });
  });

  it('is gone at once when the claim of its retry file names a dead holder, and never while that holder lives or once it recorded an end', async () => {
    const store = new MemoryObjectStore();
    const { source } = await submitRetry(store, layout, submission(RETRY_RUN));
    const claim = (await readRetryClaim(store, layout, rejected(BAD).row_hash, 1)) as RetryClaim;
    const sha = createHash('sha256').update((await store.getBytes(source)) as Uint8Array).digest('hex');
    const holder = { execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${RETRY_RUN}` };
    await claimFile(store, layout, { contentSha256: sha, runId: RETRY_RUN, source, at: minutes(1), holder });

    expect(await retryRunGone(store, layout, claim, { at: minutes(2), liveness: { isDead: async () => false } })).toBe(false);
    expect(await retryRunGone(store, layout, claim, { at: minutes(2), liveness: { isDead: async () => true } })).toBe(true);
    await writeRunRecordIfAbsent(
      store,
      layout,
      RunRecordSchema.parse({
        run_id: RETRY_RUN,
        execution_arn: holder.execution_arn,
        dataset: 'mortgages/transactions',
        mode: 'retry',
        started_at: AT.toISOString(),
        source,
        status: 'BLOCKED',
        blocked_at: AT.toISOString(),
        counts: { input_rows: 1, valid_rows: 0, quarantined_rows: 1, condemned_rows: 0 },
        quarantine_by_reason: { CURRENCY_ERROR: 1 },
        reasons: ['critical error: counts do not reconcile'],
      }),
    );
    expect(await retryRunGone(store, layout, claim, { at: minutes(60), liveness: { isDead: async () => true } })).toBe(false);
  });
});

describe('recordCondemnedDecision', () => {
  const decision: CondemnedDecision = {
    decision_id: 'approve-20240106T100000Z-x1',
    decision: 'approve',
    run_id: SOURCE_RUN,
    by: 'alice',
    reason: 'the source system re-issued the row',
    at: AT.toISOString(),
    rows: [{ row_hash: rowHashOf(BAD), validation_error: 'MAX_ATTEMPTS', attempt_count: 3, source_line: 2 }],
    retry_run_id: '20240106T100000Z-bbbbbb',
  };

  it('records who, when, why and which rows, and marks each row decided', async () => {
    const store = new MemoryObjectStore();

    await recordCondemnedDecision(store, layout, decision);

    expect(await readCondemnedDecision(store, layout, decision.decision_id)).toEqual(decision);
    expect(await readCondemnedRowDecision(store, layout, SOURCE_RUN, rowHashOf(BAD))).toEqual({
      decision_id: decision.decision_id,
      decision: 'approve',
      by: 'alice',
      at: AT.toISOString(),
    });
  });

  it('refuses to decide a row twice, naming the earlier decision', async () => {
    const store = new MemoryObjectStore();
    await recordCondemnedDecision(store, layout, decision);

    const again = recordCondemnedDecision(store, layout, { ...decision, decision_id: 'reject-2', decision: 'reject', by: 'bob', retry_run_id: null });

    await expect(again).rejects.toThrow(/already decided: \w+ \(approved by alice at 2024-01-06T10:00:00.000Z\)/);
    expect(await readCondemnedDecision(store, layout, 'reject-2')).toBeUndefined();
  });

  it.each([
    ['by', { by: '  ' }],
    ['reason', { reason: '' }],
  ])('refuses a decision without %s', async (_what, over) => {
    const store = new MemoryObjectStore();
    await expect(recordCondemnedDecision(store, layout, { ...decision, ...over })).rejects.toBeInstanceOf(RunbookRefusedError);
    expect(await readCondemnedRowDecision(store, layout, SOURCE_RUN, rowHashOf(BAD))).toBeUndefined();
  });
});
