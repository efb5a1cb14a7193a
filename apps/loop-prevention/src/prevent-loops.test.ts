import { CircuitBreakerOpenError } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import {
  ignoreBronzeObject,
  claimFile,
  markFileProcessed,
  readLedgerEntry,
  recordAndEvaluateBreaker,
  releaseFileClaim,
  resetBreaker,
  writeQuarantineIndex,
} from '@ledgerlake/ledgers';
import { readDecisions, workPartRef, writePartManifest } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';
import { micros, numbered, prepareRun, publish, tx, workRow } from '../tests/support/run-fixture';
import { preventLoops } from './prevent-loops';

const layout = createLakeLayout(localBuckets());
const NOW = () => new Date('2024-01-05T09:01:00Z');

function enrichmentOf(state: RunState) {
  if (state.enrichment === undefined) throw new Error('no enrichment result');
  return state.enrichment;
}

async function decisionsOf(store: ObjectStore, state: RunState, part = 0) {
  return [...(await readDecisions(store, workPartRef(enrichmentOf(state).work, 'loop-prevention', part))).values()];
}

function run(store: ObjectStore, state: RunState) {
  return preventLoops(state, { store, layout, now: NOW });
}

describe('preventLoops', () => {
  describe('circuit breaker latch', () => {
    it('refuses to start while the breaker is open, before claiming the file', async () => {
      const store = new MemoryObjectStore();
      await recordAndEvaluateBreaker(store, layout, { runId: '20240105T080000Z', at: NOW(), processed: 1000, failedByCode: { TYPE_ERROR: 500 } });
      const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]]);
      await expect(run(store, state)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
      expect(await readLedgerEntry(store, layout, enrichmentOf(state).content_sha256)).toBeUndefined();
    });

    it('starts again once a person reset the breaker', async () => {
      const store = new MemoryObjectStore();
      await recordAndEvaluateBreaker(store, layout, { runId: '20240105T080000Z', at: NOW(), processed: 1000, failedByCode: { TYPE_ERROR: 500 } });
      await resetBreaker(store, layout, { by: 'alice', reason: 'fixed' });
      const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]]);
      expect((await run(store, state)).status).toBe('CONTINUE');
    });
  });

  describe('file level', () => {
    it('claims a new content and goes on', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]]);
      expect(await run(store, state)).toEqual({ status: 'CONTINUE', condemned_rows: 0, condemned_by_reason: {} });
      expect(await readLedgerEntry(store, layout, enrichmentOf(state).content_sha256)).toMatchObject({ run_id: '20240105T090000Z', status: 'claimed' });
    });

    it('ends a run of a Bronze object a person ignored as DUPLICATE_FILE (ignored), claiming nothing: what a sweep or trigger that starts it meets', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]]);
      await ignoreBronzeObject(store, layout, { bronze_key: state.run.source.key, by: 'dq-lead', reason: 'bad export', at: '2024-01-05T08:00:00.000Z', last_run_id: '20240104T090000Z' });

      expect(await run(store, state)).toEqual({
        status: 'DUPLICATE_FILE',
        duplicate_of: '20240104T090000Z',
        duplicate_status: 'ignored',
        condemned_rows: 0,
        condemned_by_reason: {},
      });
      expect(await readLedgerEntry(store, layout, enrichmentOf(state).content_sha256)).toBeUndefined();
    });

    it('ends as DUPLICATE_FILE when the content was processed by another run, condemning nothing', async () => {
      const store = new MemoryObjectStore();
      const sha = 'cd'.repeat(32);
      await claimFile(store, layout, { contentSha256: sha, runId: '20240101T000000Z', source: { bucket: 'bronze', key: 'x.csv' }, at: NOW() });
      await markFileProcessed(store, layout, sha, '20240101T000000Z');
      const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { sha });
      expect(await run(store, state)).toEqual({
        status: 'DUPLICATE_FILE',
        duplicate_of: '20240101T000000Z',
        duplicate_status: 'processed',
        condemned_rows: 0,
        condemned_by_reason: {},
      });
      expect(await store.head(workPartRef(enrichmentOf(state).work, 'loop-prevention', 0))).toBeUndefined();
    });

    it('lets exactly one of two concurrent runs of the same content proceed', async () => {
      const store = new MemoryObjectStore();
      const a = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T090000Z-a' });
      const b = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T090000Z-b' });
      const results = await Promise.all([run(store, a), run(store, b)]);
      expect(results.map((r) => r.status).sort()).toEqual(['CONTINUE', 'DUPLICATE_FILE']);
      const skipped = results.find((r) => r.status === 'DUPLICATE_FILE');
      const owner = (await readLedgerEntry(store, layout, 'ab'.repeat(32)))?.run_id;
      expect(skipped?.duplicate_of).toBe(owner);
    });

    it('ends as DUPLICATE_FILE when the content\'s run was blocked, unless the run is a re-run of it', async () => {
      const store = new MemoryObjectStore();
      const blocked = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T090000Z' });
      await run(store, blocked);
      await releaseFileClaim(store, layout, 'ab'.repeat(32), '20240105T090000Z', { outcome: 'BLOCKED' });
      const again = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T100000Z' });
      expect(await run(store, again)).toMatchObject({ status: 'DUPLICATE_FILE', duplicate_of: '20240105T090000Z', duplicate_status: 'blocked' });

      const rerun = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T110000Z' });
      expect((await run(store, { ...rerun, run: { ...rerun.run, rerun_of: '20240105T090000Z' } })).status).toBe('CONTINUE');
    });

    it('lets a re-drive proceed after the interrupted run released its claim', async () => {
      const store = new MemoryObjectStore();
      const failed = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T090000Z' });
      await run(store, failed);
      await releaseFileClaim(store, layout, 'ab'.repeat(32), '20240105T090000Z', { outcome: 'INTERRUPTED', reason: 'interrupted by SIGINT' });
      const redrive = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z')]], { runId: '20240105T100000Z' });
      expect((await run(store, redrive)).status).toBe('CONTINUE');
    });
  });

  describe('attempt limit', () => {
    it('condemns a row at attempt_count 3 (MAX_ATTEMPTS), not one at 2', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([[
        tx('1', '2024-01-05T09:00:00Z', { attemptCount: 2 }),
        tx('2', '2024-01-05T09:00:00Z', { attemptCount: 3 }),
      ]]));
      expect(await run(store, state)).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { MAX_ATTEMPTS: 1 } });
      expect(await decisionsOf(store, state)).toEqual([{ index: 1, code: 'MAX_ATTEMPTS', detail: 'attempt_count 3 has reached the limit of 3 attempts' }]);
    });

    it('takes precedence over a duplicate', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([[tx('1', '2024-01-05T09:00:00Z'), tx('1', '2024-01-05T10:00:00Z', { attemptCount: 5 })]]));
      expect(await run(store, state)).toMatchObject({ condemned_rows: 1, condemned_by_reason: { MAX_ATTEMPTS: 1 } });
      expect((await decisionsOf(store, state))[0]).toMatchObject({ index: 1, code: 'MAX_ATTEMPTS' });
    });
  });

  describe('in-file duplicates', () => {
    it('lets the first row with a key win, across parts, and names its line', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([
        [tx('42', '2024-01-05T09:00:00Z'), tx('43', '2024-01-05T09:00:00Z')],
        [tx('0042', '2024-01-05T23:59:59Z'), tx('42', '2024-01-06T00:00:00Z')],
      ]));
      expect(await run(store, state)).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { DUPLICATE_FAILURE: 1 } });
      expect(await decisionsOf(store, state, 0)).toEqual([]);
      expect(await decisionsOf(store, state, 1)).toEqual([
        { index: 0, code: 'DUPLICATE_FAILURE', detail: 'TransactionID 42 on 2024-01-05: same key as line 2 of this file (the first row with a key wins)' },
      ]);
    });

    it('uses the UTC day of the timestamp', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([[tx('7', '2024-01-05T23:30:00Z'), tx('7', '2024-01-06T00:30:00+01:00')]]));
      expect((await run(store, state)).condemned_rows).toBe(1);
    });

    it('skips rows whose key does not parse, and rows with the wrong number of fields', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([[
        tx('8', 'yesterday'),
        tx('8', 'yesterday'),
        tx('x9', '2024-01-05T09:00:00Z'),
        tx('x9', '2024-01-05T09:00:00Z'),
        workRow(['10', 'ACC001', '1.00', 'EUR', '2024-01-05T09:00:00Z', ], { schemaProblem: 'record has 6 fields; the header has 5' }),
        tx('10', '2024-01-05T09:00:00Z'),
      ]]));
      expect((await run(store, state)).condemned_rows).toBe(0);
    });

    it('handles ids beyond 2^53 exactly', async () => {
      const store = new MemoryObjectStore();
      const state = await prepareRun(store, layout, numbered([[
        tx('9007199254740993', '2024-01-05T09:00:00Z'),
        tx('9007199254740992', '2024-01-05T09:00:00Z'),
        tx('9007199254740993', '2024-01-05T10:00:00Z'),
      ]]));
      await run(store, state);
      expect(await decisionsOf(store, state)).toEqual([
        { index: 2, code: 'DUPLICATE_FAILURE', detail: 'TransactionID 9007199254740993 on 2024-01-05: same key as line 2 of this file (the first row with a key wins)' },
      ]);
    });
  });

  describe('already published in Silver', () => {
    it('condemns a key a promoted run already published, naming the run', async () => {
      const store = new MemoryObjectStore();
      await publish(store, layout, { year: 2024, month: 1 }, '20240104T090000Z', [
        { id: 1n, txDate: micros('2024-01-05T09:00:00Z') },
        { id: 2n, txDate: micros('2024-01-04T09:00:00Z') },
      ]);
      const state = await prepareRun(store, layout, numbered([[
        tx('001', '2024-01-05T18:00:00Z'),
        tx('2', '2024-01-05T09:00:00Z'),
        tx('3', '2024-01-05T09:00:00Z'),
      ]]));
      expect(await run(store, state)).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { DUPLICATE_FAILURE: 1 } });
      expect(await decisionsOf(store, state)).toEqual([
        { index: 0, code: 'DUPLICATE_FAILURE', detail: 'TransactionID 1 on 2024-01-05 is already published (run 20240104T090000Z)' },
      ]);
    });

    it('condemns every later row with a published key too', async () => {
      const store = new MemoryObjectStore();
      await publish(store, layout, { year: 2024, month: 2 }, '20240204T090000Z', [{ id: 5n, txDate: micros('2024-02-01T00:00:00Z') }]);
      const state = await prepareRun(store, layout, numbered([[tx('5', '2024-02-01T08:00:00Z'), tx('5', '2024-02-01T09:00:00Z')]]));
      await run(store, state);
      expect((await decisionsOf(store, state)).map((d) => d.detail)).toEqual([
        'TransactionID 5 on 2024-02-01 is already published (run 20240204T090000Z)',
        'TransactionID 5 on 2024-02-01 is already published (run 20240204T090000Z)',
      ]);
    });

    it('reads only the partitions the file touches', async () => {
      const memory = new MemoryObjectStore();
      await publish(memory, layout, { year: 2024, month: 3 }, '20240304T090000Z', [{ id: 1n, txDate: micros('2024-03-05T09:00:00Z') }]);
      const read: string[] = [];
      const store = Object.create(memory) as ObjectStore;
      store.getBytes = async (ref) => {
        read.push(ref.key);
        return memory.getBytes(ref);
      };
      const state = await prepareRun(memory, layout, numbered([[tx('1', '2024-01-05T09:00:00Z')]]));
      expect((await run(store, state)).condemned_rows).toBe(0);
      expect(read.filter((key) => key.startsWith('mortgages/'))).toEqual(['mortgages/transactions/year=2024/month=01/schema_v=v1/_LATEST.json']);
    });
  });

  describe('quarantine history', () => {
    const bad = (over = {}) => workRow(['11', 'ACC001', '1,00', 'EUR', '2024-01-05T09:00:00Z'], over);

    it('condemns a fresh exact re-send of a quarantined row', async () => {
      const store = new MemoryObjectStore();
      await writeQuarantineIndex(store, layout, '20240101T000000Z', new Map([['2024-01', [bad().rowHash]]]));
      const state = await prepareRun(store, layout, numbered([[tx('1', '2024-01-05T09:00:00Z'), bad()]]));
      expect(await run(store, state)).toEqual({ status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { DUPLICATE_FAILURE: 1 } });
      expect(await decisionsOf(store, state)).toEqual([
        { index: 1, code: 'DUPLICATE_FAILURE', detail: 'exact re-send of a row already in quarantine (same row_hash)' },
      ]);
    });

    it('finds hashes filed under unknown when the timestamp does not parse', async () => {
      const store = new MemoryObjectStore();
      const row = workRow(['12', 'ACC001', '1.00', 'EUR', 'not a time']);
      await writeQuarantineIndex(store, layout, '20240101T000000Z', new Map([['unknown', [row.rowHash]]]));
      const state = await prepareRun(store, layout, numbered([[row]]));
      expect((await run(store, state)).condemned_rows).toBe(1);
    });

    it('lets a retried row (attempt_count > 0) through', async () => {
      const store = new MemoryObjectStore();
      await writeQuarantineIndex(store, layout, '20240101T000000Z', new Map([['2024-01', [bad().rowHash]]]));
      const state = await prepareRun(store, layout, numbered([[bad({ attemptCount: 1 })]]));
      expect((await run(store, state)).condemned_rows).toBe(0);
    });

    it('ignores the quarantine output of this run itself (a retry of the run)', async () => {
      const store = new MemoryObjectStore();
      await writeQuarantineIndex(store, layout, '20240105T090000Z', new Map([['2024-01', [bad().rowHash]]]));
      const state = await prepareRun(store, layout, numbered([[bad()]]));
      expect((await run(store, state)).condemned_rows).toBe(0);
    });

    it('ignores the quarantine output of an earlier failed run of the same content', async () => {
      const store = new MemoryObjectStore();
      const first = await prepareRun(store, layout, numbered([[bad()]]), { runId: '20240105T080000Z' });
      await run(store, first);
      await writeQuarantineIndex(store, layout, '20240105T080000Z', new Map([['2024-01', [bad().rowHash]]]));
      await releaseFileClaim(store, layout, 'ab'.repeat(32), '20240105T080000Z', { outcome: 'INTERRUPTED' });
      const redrive = await prepareRun(store, layout, numbered([[bad()]]));
      expect(await run(store, redrive)).toMatchObject({ status: 'CONTINUE', condemned_rows: 0 });
    });

    it('compares records the parser could not read by their hash over their bytes: a re-send is condemned, another record is not', async () => {
      const store = new MemoryObjectStore();
      const unreadable = (rowHash: string) => workRow([null, null, null, null, null], { schemaProblem: 'unparseable record: …', rowHash });
      await writeQuarantineIndex(store, layout, '20240101T000000Z', new Map([['unknown', ['a1'.repeat(32)]]]));
      const state = await prepareRun(store, layout, numbered([[unreadable('a1'.repeat(32)), unreadable('b2'.repeat(32))]]));
      expect(await run(store, state)).toMatchObject({ condemned_rows: 1, condemned_by_reason: { DUPLICATE_FAILURE: 1 } });
    });
  });

  it('writes a decisions file for every part, even an empty one', async () => {
    const store = new MemoryObjectStore();
    const state = await prepareRun(store, layout, numbered([[tx('1', '2024-01-05T09:00:00Z')], [tx('2', '2024-01-05T09:00:00Z')]]));
    await run(store, state);
    for (const part of [0, 1]) expect(await decisionsOf(store, state, part)).toEqual([]);
  });

  it('refuses a work area that does not match what enrichment reported', async () => {
    const store = new MemoryObjectStore();
    const state = await prepareRun(store, layout, [[tx('1', '2024-01-05T09:00:00Z'), tx('2', '2024-01-05T09:00:00Z')]]);
    const enrichment = enrichmentOf(state);
    const lying = { ...state, enrichment: { ...enrichment, input_rows: 3, ...(await writePartManifest(store, enrichment.work, [{ part: 0, rows: 3 }])) } };
    await expect(run(store, lying)).rejects.toThrow(/work part 0 holds 2 rows; enrichment reported 3/);
  });
});
