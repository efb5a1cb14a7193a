import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type PromotionResult } from '@ledgerlake/contract';
import { LakeCatalog, readLatest, readVersion } from '@ledgerlake/lake';
import { createLakeLayout, FsObjectStore, listAll, localBuckets } from '@ledgerlake/storage';
import { promoteRun } from '../../src';
import type { PromoteCommand } from '../support/promote-worker';
import { promotionDeps, writeRunOutput } from '../support/run-output';

// Promotions in separate OS processes on one lake folder (the filesystem adapter's CAS).
const WORKSPACE = resolve(__dirname, '../../../..');
const WORKER = join(__dirname, '../support/promote-worker.ts');
const JAN = { year: 2024, month: 1 };
const layout = createLakeLayout(localBuckets());
let root: string;
let store: FsObjectStore;

interface Outcome {
  readonly result?: PromotionResult;
  readonly error?: string;
  readonly signal: NodeJS.Signals | null;
}

/** Starts one worker per command, releases them together once all are ready, and collects how each ended. */
async function promoteInProcesses(commands: PromoteCommand[]): Promise<Outcome[]> {
  const children = commands.map((command) =>
    fork(WORKER, [JSON.stringify(command)], {
      cwd: WORKSPACE,
      execArgv: ['--require', '@swc-node/register'],
      env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE, 'apps/promotion/tsconfig.json') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const outcomes = children.map(
    (child) =>
      new Promise<Outcome>((done) => {
        let reply: { result?: PromotionResult; error?: string } = {};
        child.on('message', (message: { result?: PromotionResult; error?: string }) => {
          if ('result' in message || 'error' in message) reply = message;
        });
        child.on('exit', (_code, signal) => done({ ...reply, signal }));
      }),
  );
  await Promise.all(
    children.map((child) => new Promise<void>((ready) => child.once('message', () => ready()))),
  );
  children.forEach((child) => child.send({ go: true }));
  return Promise.all(outcomes);
}

async function currentKeys(): Promise<string[]> {
  const { bucket, prefix } = layout.silver.currentPrefix(JAN);
  const keys: string[] = [];
  for await (const object of listAll(store, bucket, prefix)) keys.push(object.key);
  return keys;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledgerlake-promotion-'));
  store = new FsObjectStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('promotion across processes', () => {
  it('publishes both runs of two concurrent promotions of one month, none twice', async () => {
    const a = await writeRunOutput(store, layout, [{ id: 1, account: 'ACC001', amount: '10.00', at: '2024-01-05T09:00:00Z' }], {
      started: new Date('2024-02-01T00:00:00Z'),
      suffix: 'aaaaaa',
    });
    const b = await writeRunOutput(
      store,
      layout,
      [
        { id: 2, account: 'ACC002', amount: '20.00', at: '2024-01-06T09:00:00Z' },
        { id: 3, account: 'ACC002', amount: '-5.00', at: '2024-01-07T09:00:00Z' },
      ],
      { started: new Date('2024-02-01T00:00:00Z'), suffix: 'bbbbbb' },
    );

    const outcomes = await promoteInProcesses([
      { root, runId: a.runId, holdLatestMs: 1500 },
      { root, runId: b.runId, holdLatestMs: 1500 },
    ]);

    expect(outcomes.map((outcome) => outcome.error)).toEqual([undefined, undefined]);
    const conflicts = outcomes.flatMap((outcome) => outcome.result?.partitions ?? []).map((p) => p.conflicts);
    expect(conflicts.sort()).toEqual([0, 1]);
    const latest = await readLatest(store, layout.silver, JAN);
    expect(latest?.value.version).toBe(2);
    expect(latest?.value.runs.map((run) => run.run_id).sort()).toEqual([a.runId, b.runId].sort());
    expect(latest?.value.counts).toEqual({ rows: 3, files: 2 });
    expect(new Set(latest?.value.files).size).toBe(2);
    expect((await readVersion(store, layout.silver, JAN, 1))?.runs).toHaveLength(1);
    expect(await new LakeCatalog(store, layout).registeredVersion('silver.transactions', JAN)).toBe(2);
  }, 60_000);

  it('leaves readers on the previous version when a promotion dies before its commit, and a re-run completes it', async () => {
    const a = await writeRunOutput(store, layout, [{ id: 1, account: 'ACC001', amount: '10.00', at: '2024-01-05T09:00:00Z' }], {
      started: new Date('2024-02-01T00:00:00Z'),
      suffix: 'aaaaaa',
    });
    await promoteRun(a.runId, promotionDeps(store, layout));
    const b = await writeRunOutput(store, layout, [{ id: 2, account: 'ACC002', amount: '20.00', at: '2024-01-06T09:00:00Z' }], {
      started: new Date('2024-02-02T00:00:00Z'),
      suffix: 'bbbbbb',
    });

    const [killed] = await promoteInProcesses([{ root, runId: b.runId, dieAtCommit: true }]);

    expect(killed?.signal).toBe('SIGKILL');
    // Its object reached current/, but nothing a reader follows names it.
    expect(await currentKeys()).toContain(layout.silver.currentObject(JAN, `${b.runId}-part-00000.parquet`).key);
    const before = await readLatest(store, layout.silver, JAN);
    expect(before?.value).toMatchObject({ version: 1, run_id: a.runId, files: [`${layout.silver.currentPrefix(JAN).prefix}${a.runId}-part-00000.parquet`] });
    expect(await new LakeCatalog(store, layout).registeredVersion('silver.transactions', JAN)).toBe(1);

    const rerun = await promoteRun(b.runId, promotionDeps(store, layout));

    expect(rerun.partitions).toEqual([expect.objectContaining({ partition: '2024-01', version: 2, committed: true })]);
    const after = await readLatest(store, layout.silver, JAN);
    expect(after?.value.runs.map((run) => run.run_id)).toEqual([a.runId, b.runId]);
    expect(after?.value.counts).toEqual({ rows: 2, files: 2 });
    expect(await new LakeCatalog(store, layout).registeredVersion('silver.transactions', JAN)).toBe(2);
  }, 60_000);
});
