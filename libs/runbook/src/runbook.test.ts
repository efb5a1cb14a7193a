import { RunIdSchema } from '@ledgerlake/domain';
import { LOCAL_LIVENESS } from '@ledgerlake/ledgers';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectRef } from '@ledgerlake/storage';
import { backfillMonth, forcedRerunOf, type Lake, listQuarantine, type Operator, rerunRun, resolveRowHashes, retryQuarantine, RunbookError, type RunRequest, showRun } from './index';

const AT = new Date('2024-05-02T10:00:00Z');

/** A lake in memory and an operator that records the runs it is asked to start instead of running them. */
function operator(): { lake: Lake; started: { source: ObjectRef; file: string; request: RunRequest }[]; operator: Operator<{ run_id: string }> } {
  const lake = { store: new MemoryObjectStore(), layout: createLakeLayout(localBuckets()) };
  const started: { source: ObjectRef; file: string; request: RunRequest }[] = [];
  return {
    lake,
    started,
    operator: {
      lake,
      now: () => AT,
      watch: () => ({ at: AT, liveness: LOCAL_LIVENESS }),
      startRun: async (source, file, request) => {
        started.push({ source, file, request });
        return { run_id: request.runId ?? 'fresh' };
      },
    },
  };
}

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}

async function refusal(promise: Promise<unknown>): Promise<RunbookError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof RunbookError)) throw new Error(`expected a RunbookError, got ${String(error)}`);
  return error;
}

describe('the runbook over any lake', () => {
  it('backfills a month: lands the bytes once under a backfill key, then asks its starter for a backfill run of that month', async () => {
    const { lake, started, operator: op } = operator();
    const csv = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n1,A,1.00,EUR,2024-01-02T00:00:00Z\n';

    const outcome = await backfillMonth(op, '2024-01', { files: ['jan.csv', 'jan-2.csv'], bytes: bytes(csv), gzip: false });

    expect(started).toHaveLength(1);
    const [run] = started;
    expect(run?.request).toEqual({ runId: outcome.run_id, mode: 'backfill', backfill_month: '2024-01' });
    expect(outcome.run_id).toMatch(/^backfill-/);
    expect(RunIdSchema.safeParse(outcome.run_id).success).toBe(true);
    expect(run?.file).toBe('jan.csv, jan-2.csv');
    expect(run?.source.key).toBe(`mortgages/transactions/ingest_date=2024-05-02/backfill-2024-01-${outcome.run_id}.csv`);
    expect(Buffer.from((await lake.store.getBytes(run?.source as ObjectRef)) ?? []).toString()).toBe(csv);
    expect(outcome).toEqual({ run_id: outcome.run_id, backfill_month: '2024-01', files: ['jan.csv', 'jan-2.csv'] });
  });

  it('refuses a malformed request as invalid (a usage error) and a request the lake cannot honour by what is missing', async () => {
    const { lake, started, operator: op } = operator();

    const badId = await refusal(showRun(lake, 'not-a-run'));
    expect([badId.code, badId.isInvalidRequest]).toEqual(['invalid-run-id', true]);
    const badCode = await refusal(listQuarantine(lake, { error: 'NOPE' }));
    expect([badCode.code, badCode.isInvalidRequest]).toEqual(['invalid-error-code', true]);

    const unknown = await refusal(showRun(lake, '20240502T100000Z-abc123'));
    // A run the lake has never seen is a wrong request too (exit 2 on the command line), in every operation.
    expect([unknown.code, unknown.isInvalidRequest, unknown.message]).toEqual(['unknown-run', true, 'The lake has no run 20240502T100000Z-abc123 (see `ledgerlake runs`).']);
    expect((await refusal(retryQuarantine(op, { run: '20240502T100000Z-abc123', by: 'ops' }))).code).toBe('unknown-run');
    expect((await refusal(rerunRun(op, '20240502T100000Z-abc123'))).code).toBe('unknown-run');
    // One the lake knows (it left a log) but that wrote no output is the lake's state, not the request.
    await lake.store.put(lake.layout.artifacts.logs('20240502T100000Z-abc123'), '{}\n');
    const noOutput = await refusal(retryQuarantine(op, { run: '20240502T100000Z-abc123', by: 'ops' }));
    expect([noOutput.code, noOutput.isInvalidRequest]).toEqual(['no-output', false]);
    expect(started).toEqual([]);
  });

  it('finds no run to take over for content the ledger has never seen', async () => {
    const { lake } = operator();
    await expect(forcedRerunOf(lake, 'a'.repeat(64))).resolves.toBeUndefined();
  });
});

describe('row hashes a person types', () => {
  const a = `abcdef01${'0'.repeat(56)}`;
  const b = `abcdef01${'1'.repeat(56)}`;
  const c = `12345678${'2'.repeat(56)}`;

  it('resolve by the whole hash or a unique prefix of 8 or more hex digits, any case; unknown ones to undefined', () => {
    expect(resolveRowHashes([c, '12345678', 'ABCDEF010', 'ffffffff'], [a, b, c], 'rows')).toEqual([c, c, a, undefined]);
  });

  it('refuse a prefix shorter than 8 or not hex (invalid) and one that matches several rows (ambiguous)', () => {
    expect(() => resolveRowHashes(['abcdef0'], [a], 'rows')).toThrow(expect.objectContaining({ code: 'invalid-row-hash', isInvalidRequest: true }));
    expect(() => resolveRowHashes(['not-a-hash'], [a], 'rows')).toThrow(expect.objectContaining({ code: 'invalid-row-hash' }));
    expect(() => resolveRowHashes(['abcdef01'], [a, b], 'undecided rows of run R')).toThrow(
      expect.objectContaining({ code: 'ambiguous-row-hash', isInvalidRequest: true, message: 'Row hash abcdef01 matches 2 undecided rows of run R (abcdef010000, abcdef011111): give more of it.' }),
    );
  });
});
