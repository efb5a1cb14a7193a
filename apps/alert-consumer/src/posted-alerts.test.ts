import { StorageError } from '@ledgerlake/domain';
import { createLakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { AlertInProgressError } from './errors';
import { claimAlert, markPosted, readPostedAlert, releaseAlert } from './posted-alerts';

const layout = createLakeLayout(stageBuckets('ledgerlake-prod'));
const REF = layout.control.postedAlert('execution-20240201T090000Z-FAILED');
const T0 = new Date('2024-02-01T09:00:10Z');
const request = (messageId: string, now: Date, leaseMs = 30_000) => ({
  incidentId: 'execution-20240201T090000Z-FAILED',
  kind: 'execution',
  runId: '20240201T090000Z',
  messageId,
  now,
  leaseMs,
});
const later = (ms: number) => new Date(T0.getTime() + ms);

describe('posted-alert records', () => {
  it('claims a new incident with a lease as long as the invocation has left', async () => {
    const store = new MemoryObjectStore();

    const claim = await claimAlert(store, REF, request('m-1', T0));

    expect(claim.kind).toBe('claimed');
    expect(await readPostedAlert(store, REF)).toEqual({
      incident_id: 'execution-20240201T090000Z-FAILED',
      status: 'posting',
      kind: 'execution',
      run_id: '20240201T090000Z',
      message_id: 'm-1',
      attempts: 1,
      claimed_at: '2024-02-01T09:00:10.000Z',
      lease_until: '2024-02-01T09:00:40.000Z',
    });
  });

  it('reports an incident already posted as such, and leaves its record alone', async () => {
    const store = new MemoryObjectStore();
    const claim = await claimAlert(store, REF, request('m-1', T0));
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(await markPosted(store, REF, claim, later(1_000))).toBe(true);

    const again = await claimAlert(store, REF, request('m-2', later(2_000)));

    expect(again).toMatchObject({ kind: 'posted', record: { status: 'posted', message_id: 'm-1', posted_at: '2024-02-01T09:00:11.000Z' } });
  });

  it('refuses a second claim while the first one is live', async () => {
    const store = new MemoryObjectStore();
    await claimAlert(store, REF, request('m-1', T0));

    await expect(claimAlert(store, REF, request('m-2', later(29_000)))).rejects.toThrow(AlertInProgressError);
    await expect(claimAlert(store, REF, request('m-2', later(29_000)))).rejects.toThrow(/being posted by message m-1 until 2024-02-01T09:00:40.000Z/);
  });

  it('takes over a claim whose lease ran out (its holder died), counting the attempt', async () => {
    const store = new MemoryObjectStore();
    await claimAlert(store, REF, request('m-1', T0));

    const taken = await claimAlert(store, REF, request('m-2', later(31_000)));

    expect(taken).toMatchObject({ kind: 'claimed', record: { message_id: 'm-2', attempts: 2, status: 'posting' } });
  });

  it('takes over a released claim at once, and the lost holder can no longer record it', async () => {
    const store = new MemoryObjectStore();
    const first = await claimAlert(store, REF, request('m-1', T0));
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    expect(await releaseAlert(store, REF, first, later(500), 'SlackUnavailableError')).toBe(true);
    expect(await readPostedAlert(store, REF)).toMatchObject({ status: 'released', last_error: 'SlackUnavailableError' });

    const second = await claimAlert(store, REF, request('m-2', later(1_000)));

    expect(second).toMatchObject({ kind: 'claimed', record: { attempts: 2 } });
    expect(await markPosted(store, REF, first, later(2_000))).toBe(false);
  });

  it('lets only one of two racing takers win', async () => {
    const store = new MemoryObjectStore();
    await claimAlert(store, REF, request('m-1', T0));
    // The competitor writes between this taker's read and its replace.
    const getBytes = store.getBytes.bind(store);
    let raced = false;
    store.getBytes = async (ref) => {
      const bytes = await getBytes(ref);
      if (!raced) {
        raced = true;
        await claimAlert(store, REF, request('m-3', later(31_000)));
      }
      return bytes;
    };

    await expect(claimAlert(store, REF, request('m-2', later(31_000)))).rejects.toThrow(/another delivery took incident/);
    expect(await readPostedAlert(store, REF)).toMatchObject({ message_id: 'm-3' });
  });

  it('treats a record that is not one as released', async () => {
    const store = new MemoryObjectStore();
    await store.put(REF, 'garbage');

    expect(await claimAlert(store, REF, request('m-1', T0))).toMatchObject({ kind: 'claimed', record: { attempts: 1 } });
  });

  it('lets a storage failure through', async () => {
    const store = new MemoryObjectStore();
    store.putIfAbsent = () => Promise.reject(new StorageError('storage: access denied'));

    await expect(claimAlert(store, REF, request('m-1', T0))).rejects.toThrow(StorageError);
  });
});
