import { TransientStorageError } from '@ledgerlake/domain';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { FaultInjectingStore } from '@ledgerlake/testing';
import { claimFile, markFileProcessed, readLedgerEntry, releaseFileClaim, renewFileClaim, type FileClaimRequest } from './processed-file-ledger';

const layout = createLakeLayout(localBuckets());
const SHA = 'ab'.repeat(32);
const T0 = new Date('2025-03-01T10:00:00Z');
const source = { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2025-03-01/a.csv' };
const request = (runId: string, over: Partial<FileClaimRequest> = {}): FileClaimRequest => ({
  contentSha256: SHA,
  runId,
  source,
  at: T0,
  ...over,
});

describe('processed-file ledger', () => {
  it('claims new content and records run, source and time', async () => {
    const store = new MemoryObjectStore();
    expect(await claimFile(store, layout, request('20250301T100000Z', { executionArn: 'arn:x' }))).toEqual({
      status: 'claimed',
      how: 'new',
      previousRunIds: [],
    });
    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({
      run_id: '20250301T100000Z',
      execution_arn: 'arn:x',
      source,
      status: 'claimed',
      claimed_at: T0.toISOString(),
    });
  });

  it('lets exactly one of two concurrent runs of the same content proceed', async () => {
    const store = new MemoryObjectStore();
    const outcomes = await Promise.all([
      claimFile(store, layout, request('20250301T100000Z-a')),
      claimFile(store, layout, request('20250301T100000Z-b')),
    ]);
    expect(outcomes.filter((o) => o.status === 'claimed')).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === 'duplicate');
    const winner = (await readLedgerEntry(store, layout, SHA))?.run_id;
    expect(loser).toEqual({ status: 'duplicate', duplicateOf: winner, entryStatus: 'claimed' });
  });

  it('gives the claiming run its own claim back (a retry)', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    expect(await claimFile(store, layout, request('20250301T100000Z'))).toMatchObject({ status: 'claimed', how: 'own' });
  });

  it('refuses content that was processed, naming the run', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await markFileProcessed(store, layout, SHA, '20250301T100000Z', T0);
    expect(await claimFile(store, layout, request('20250302T100000Z'))).toEqual({
      status: 'duplicate',
      duplicateOf: '20250301T100000Z',
      entryStatus: 'processed',
    });
    expect(await claimFile(store, layout, request('20250301T100000Z'))).toMatchObject({ status: 'duplicate' });
  });

  it.each([
    ['FAILED', 'failed'],
    ['BLOCKED', 'blocked'],
  ] as const)('does not run a content again whose run ended %s and released it, unless it is an explicit re-run', async (outcome, entryStatus) => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome, at: T0 });

    expect(await claimFile(store, layout, request('20250301T110000Z'))).toEqual({ status: 'duplicate', duplicateOf: '20250301T100000Z', entryStatus });
    expect(await readLedgerEntry(store, layout, SHA)).toMatchObject({ run_id: '20250301T100000Z', status: 'released', released_outcome: outcome });
    expect(await claimFile(store, layout, request('20250301T120000Z', { rerun: true }))).toMatchObject({ status: 'claimed', how: 'taken-over' });
  });

  it('lets the next run take over the claim of a run that was interrupted and released it', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'INTERRUPTED', at: T0 });
    expect(await claimFile(store, layout, request('20250301T110000Z'))).toMatchObject({ status: 'claimed', how: 'taken-over' });
  });

  it('lets a re-run take over the claim of a run that failed and released it', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    expect(await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED', reason: 'TransientStorageError', at: T0 })).toBe(true);
    const outcome = await claimFile(store, layout, request('20250301T110000Z', { rerun: true }));
    expect(outcome).toEqual({
      status: 'claimed',
      how: 'taken-over',
      previousRunIds: ['20250301T100000Z'],
      superseded: { run_id: '20250301T100000Z', claimed_at: T0.toISOString() },
    });
    const entry = await readLedgerEntry(store, layout, SHA);
    expect(entry).toMatchObject({ run_id: '20250301T110000Z', status: 'claimed' });
    expect(entry?.previous).toEqual([
      { run_id: '20250301T100000Z', claimed_at: T0.toISOString(), status: 'released', ended_at: T0.toISOString(), reason: 'TransientStorageError' },
    ]);
  });

  it('lets the same run id take its released claim back', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED' });
    expect(await claimFile(store, layout, request('20250301T100000Z'))).toEqual({ status: 'claimed', how: 'taken-over', previousRunIds: [] });
  });

  it('treats a claim older than the timeout as abandoned, and a younger one as live', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
    expect(await claimFile(store, layout, request('20250301T120000Z', { at: later(30) }))).toMatchObject({ status: 'duplicate' });
    expect(await claimFile(store, layout, request('20250302T100100Z', { at: later(31) }))).toMatchObject({
      status: 'claimed',
      how: 'taken-over',
    });
    expect((await readLedgerEntry(store, layout, SHA))?.previous[0]).toMatchObject({ run_id: '20250301T100000Z', status: 'abandoned' });
  });

  it('keeps a renewed claim alive past the timeout: the lease runs from the last renewal', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

    expect(await renewFileClaim(store, layout, SHA, '20250301T100000Z', later(1))).toBe(true);
    expect((await readLedgerEntry(store, layout, SHA))?.renewed_at).toBeUndefined();
    expect(await renewFileClaim(store, layout, SHA, '20250301T100000Z', later(25))).toBe(true);
    expect((await readLedgerEntry(store, layout, SHA))?.renewed_at).toBe(later(25).toISOString());

    expect(await claimFile(store, layout, request('20250301T104000Z', { at: later(40) }))).toMatchObject({ status: 'duplicate' });
    expect(await claimFile(store, layout, request('20250301T105600Z', { at: later(56) }))).toMatchObject({ status: 'claimed', how: 'taken-over' });
    expect(await renewFileClaim(store, layout, SHA, '20250301T100000Z', later(57))).toBe(false);
  });

  it('takes over at once the claim of a holder known dead, and records why; a live holder keeps it', async () => {
    const store = new MemoryObjectStore();
    const holder = { execution_arn: 'arn:dead', host: 'laptop', pid: 4242 };
    await claimFile(store, layout, request('20250301T100000Z', { holder }));
    const alive = { isDead: async () => false };
    const dead = { isDead: async (h: { pid?: number }) => h.pid === 4242 };

    expect(await claimFile(store, layout, request('20250301T100100Z', { liveness: alive }))).toMatchObject({ status: 'duplicate' });
    expect(await claimFile(store, layout, request('20250301T100100Z', { liveness: dead }))).toMatchObject({
      status: 'claimed',
      how: 'taken-over',
      superseded: { run_id: '20250301T100000Z' },
    });
    expect((await readLedgerEntry(store, layout, SHA))?.previous[0]).toMatchObject({
      run_id: '20250301T100000Z',
      status: 'abandoned',
      reason: 'its holder is gone',
    });
  });

  it('never takes over the claim of a run whose promotion is pending, dead holder or expired', async () => {
    const store = new MemoryObjectStore();
    const holder = { execution_arn: 'arn:dead', host: 'laptop', pid: 4242 };
    await claimFile(store, layout, request('20250301T100000Z', { holder }));
    await store.put(layout.control.promotionIntent('20250301T100000Z'), '{}');
    const dead = { isDead: async () => true };

    for (const at of [T0, new Date(T0.getTime() + 48 * 3_600_000)]) {
      expect(await claimFile(store, layout, request('20250303T100000Z', { liveness: dead, at }))).toEqual({
        status: 'duplicate',
        duplicateOf: '20250301T100000Z',
        entryStatus: 'promoting',
      });
    }
  });

  it('lets only one of two concurrent re-drives take over a released claim', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED' });
    const outcomes = await Promise.all([
      claimFile(store, layout, request('20250301T110000Z-a', { rerun: true })),
      claimFile(store, layout, request('20250301T110000Z-b', { rerun: true })),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['claimed', 'duplicate']);
  });

  it('does not release another run’s claim, a processed entry, or nothing', async () => {
    const store = new MemoryObjectStore();
    expect(await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED' })).toBe(false);
    await claimFile(store, layout, request('20250301T100000Z'));
    expect(await releaseFileClaim(store, layout, SHA, '20250301T110000Z', { outcome: 'FAILED' })).toBe(false);
    await markFileProcessed(store, layout, SHA, '20250301T100000Z');
    expect(await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED' })).toBe(false);
    expect((await readLedgerEntry(store, layout, SHA))?.status).toBe('processed');
  });

  it('marks processed idempotently, and only for the run that holds the claim', async () => {
    const store = new MemoryObjectStore();
    await expect(markFileProcessed(store, layout, SHA, '20250301T100000Z')).rejects.toThrow(/does not exist/);
    await claimFile(store, layout, request('20250301T100000Z'));
    await expect(markFileProcessed(store, layout, SHA, '20250301T110000Z')).rejects.toThrow(/held by run 20250301T100000Z/);
    const first = await markFileProcessed(store, layout, SHA, '20250301T100000Z', T0);
    const second = await markFileProcessed(store, layout, SHA, '20250301T100000Z');
    expect(second).toEqual(first);
    expect(first).toMatchObject({ status: 'processed', processed_at: T0.toISOString() });
  });

  it('refuses to mark a released claim processed', async () => {
    const store = new MemoryObjectStore();
    await claimFile(store, layout, request('20250301T100000Z'));
    await releaseFileClaim(store, layout, SHA, '20250301T100000Z', { outcome: 'FAILED' });
    await expect(markFileProcessed(store, layout, SHA, '20250301T100000Z')).rejects.toThrow(/released/);
  });

  it('ends a write that loses every race in a retryable TransientStorageError naming the entry', async () => {
    const inner = new MemoryObjectStore();
    await claimFile(inner, layout, request('20250301T100000Z'));
    // Another writer changes the entry just before each conditional write: every compare-and-swap loses.
    const raced = new FaultInjectingStore(inner, undefined, async (call) => {
      if (call.op !== 'putIfMatch') return;
      const ref = { bucket: call.bucket, key: call.key };
      await inner.put(ref, `${Buffer.from((await inner.getBytes(ref)) ?? '').toString('utf8')} `);
    });
    const error = await markFileProcessed(raced, layout, SHA, '20250301T100000Z').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStorageError);
    expect((error as Error).message).toContain(layout.control.processedFile(SHA).key);
    expect(await readLedgerEntry(inner, layout, SHA)).toMatchObject({ status: 'claimed' });
  });
});
