import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EventEmitter, once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@ledgerlake/domain';
import { LedgerEntrySchema, readRunRecord, writeRunRecordIfAbsent } from '@ledgerlake/ledgers';
import { listAll, type ObjectRef, type ObjectStore } from '@ledgerlake/storage';
import { FaultInjectingStore, generateTransactionsCsv } from '@ledgerlake/testing';
import type { SignalSource } from '../../src/interrupts';
import { openLake } from '../../src/lake-folder';
import { REPO, runCli, runLogLines, useTempLake } from '../support/cli-harness';

const BIN = join(REPO, 'apps/cli/bin/ledgerlake.js');
const NO_BAD_ROWS = { schema: 0, nullValue: 0, badId: 0, badAmount: 0, badCurrency: 0, badTimestamp: 0, duplicate: 0 };

const dirs = useTempLake('ledgerlake-interrupt-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

/** A stand-in for `process`: the test sends the signals, exits are recorded (none is taken). */
function fakeProcess(): SignalSource & EventEmitter & { exits: number[] } {
  const emitter = new EventEmitter() as EventEmitter & { exits: number[]; exit(code: number): void };
  emitter.exits = [];
  emitter.exit = (code: number) => void emitter.exits.push(code);
  return emitter;
}

/** `store`, calling `fire` once, as the first write `when` picks starts. */
function onFirstWrite(store: ObjectStore, when: (ref: ObjectRef) => boolean, fire: () => void): ObjectStore {
  let fired = false;
  return new FaultInjectingStore(store, ({ op, bucket, key, mutation }) => {
    if (!fired && mutation > 0 && op !== 'delete' && when({ bucket, key })) {
      fired = true;
      fire();
    }
    return undefined;
  });
}

/** Six valid rows (three parts of two rows with `rowsPerPart: 2`), January 2024. */
async function sixRows(): Promise<string> {
  const file = join(dirs.work, 'six.csv');
  const rows = [1, 2, 3, 4, 5, 6].map((id) => `${id},ACC00${id},${id}.00,EUR,2024-01-0${id}T09:00:00Z`);
  await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
  return file;
}

async function ledgerEntries(lake: string): Promise<Record<string, unknown>[]> {
  const folder = join(lake, 'artifacts/ledger/processed-files');
  const names = existsSync(folder) ? await readdir(folder) : [];
  return Promise.all(names.map(async (name) => LedgerEntrySchema.parse(JSON.parse(await readFile(join(folder, name), 'utf8')))));
}

async function workObjects(lake: string, runId: string): Promise<string[]> {
  const opened = await openLake(lake);
  const { bucket, prefix } = opened.layout.artifacts.workPrefix(runId);
  const keys: string[] = [];
  for await (const object of listAll(opened.store, bucket, prefix)) keys.push(object.key);
  return keys;
}

interface Outcome {
  run_id: string;
  status: string;
  counts: Record<string, number>;
  interrupted?: { signal: string; state: string; message: string };
}

describe('ingest interrupted by a signal (in-process)', () => {
  it('SIGINT while the parts are written: INTERRUPTED in ProcessParts, recorded, claim released, work area gone, exit 130; the file then runs again', async () => {
    const file = await sixRows();
    const proc = fakeProcess();
    const wiring = {
      retryIntervalMs: 0,
      enrichment: { rowsPerPart: 2 },
      storeFor: (fn: string, store: ObjectStore) => (fn === 'partition-writer' ? onFirstWrite(store, () => true, () => proc.emit('SIGINT')) : store),
    };

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { wiring, process: proc });

    expect(result.code).toBe(130);
    expect(proc.exits).toEqual([]);
    const [outcome, ...others] = JSON.parse(result.stdout) as Outcome[];
    expect(others).toEqual([]);
    expect(outcome).toMatchObject({ status: 'INTERRUPTED', interrupted: { signal: 'SIGINT', state: 'ProcessParts' } });
    // No part's counts stand in for the run's: validation's whole-run counts come after the parts.
    expect(outcome?.counts).toEqual({ input_rows: 6, valid_rows: 0, quarantined_rows: 0, condemned_rows: 0 });
    expect(outcome?.interrupted?.message).toMatch(/^Stopped by SIGINT in ProcessParts: nothing was published; the file's claim was released, its work area was removed \(\d+ objects?\); ingest the file again to run it\.$/);
    expect(result.stderr).toContain('ledgerlake: SIGINT: stopping the run and cleaning up');
    const runId = String(outcome?.run_id);
    const lake = await openLake(dirs.lake);
    expect(await readRunRecord(lake.store, lake.layout, runId)).toMatchObject({
      status: 'INTERRUPTED',
      signal: 'SIGINT',
      state: 'ProcessParts',
      counts: { input_rows: 6, condemned_rows: 0 },
    });
    expect(await ledgerEntries(dirs.lake)).toMatchObject([{ run_id: runId, status: 'released', release_reason: 'interrupted by SIGINT' }]);
    expect(await workObjects(dirs.lake, runId)).toEqual([]);
    expect(await runLogLines(dirs.lake, runId)).toContainEqual(
      expect.objectContaining({ service: 'ledgerlake', level: 'WARN', message: 'run interrupted', signal: 'SIGINT', state: 'ProcessParts', claim_released: true }),
    );

    const again = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { wiring: { retryIntervalMs: 0 } });

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject([{ status: 'PUBLISHED', counts: { input_rows: 6, valid_rows: 6 } }]);
  });

  it('SIGTERM during Promote: PROMOTING, exit 143, nothing released, removed or recorded as interrupted', async () => {
    const file = await sixRows();
    const proc = fakeProcess();
    const wiring = {
      retryIntervalMs: 0,
      storeFor: (fn: string, store: ObjectStore) =>
        fn === 'promotion' ? onFirstWrite(store, (ref) => ref.bucket === 'silver', () => proc.emit('SIGTERM')) : store,
    };

    const result = await runCli(['ingest', file, '--lake', dirs.lake], dirs.work, { wiring, process: proc });

    expect(result.code).toBe(143);
    expect(result.stdout).toMatch(/^PROMOTING +\S+six\.csv {2}\(run \S+, /);
    expect(result.stdout).toContain(
      '  Stopped by SIGTERM in Promote, during its promotion: the run is left as it is, and its promotion will be completed by the next run or `ledgerlake recover`.\n',
    );
    const runId = /\(run (\S+),/.exec(result.stdout)?.[1] ?? '';
    const lake = await openLake(dirs.lake);
    expect((await readRunRecord(lake.store, lake.layout, runId))?.status).not.toBe('INTERRUPTED');
    expect((await ledgerEntries(dirs.lake))[0]?.['status']).not.toBe('released');
    expect(await workObjects(dirs.lake, runId)).not.toEqual([]);
  });

  it('reports a clean-up that fails as a fault, one sentence, and still exits 130', async () => {
    const file = await sixRows();
    const proc = fakeProcess();
    const noDeletes = (store: ObjectStore): ObjectStore =>
      new Proxy(store, {
        get(target, property) {
          if (property === 'delete') return () => Promise.reject(new StorageError('fs-store: delete failed (EROFS): read-only file system'));
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    const wiring = {
      retryIntervalMs: 0,
      storeFor: (fn: string, store: ObjectStore) =>
        fn === 'partition-writer' ? onFirstWrite(store, () => true, () => proc.emit('SIGINT')) : fn === 'ledgerlake' ? noDeletes(store) : store,
    };

    const result = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { wiring, process: proc });

    expect(result.code).toBe(130);
    const [outcome] = JSON.parse(result.stdout) as (Outcome & { faults: { what: string; message: string }[] })[];
    expect(outcome?.interrupted?.message).toContain("the file's claim was released, its work area was only partly removed (0 objects)");
    expect(outcome?.faults).toEqual([
      { what: 'clean-up', message: expect.stringMatching(/^Run \S+ \(.+six\.csv\) was interrupted, but its work area artifacts\/work\/\S+\/ could not be removed: StorageError: .*EROFS/) },
    ]);
    expect(result.stderr).toMatch(/^ledgerlake: Run \S+ \(.+\) was interrupted, but its work area .* could not be removed: .*\.$/m);
    expect(await ledgerEntries(dirs.lake)).toMatchObject([{ status: 'released' }]);
  });

  it('a second signal while the run stops exits at once with its code', async () => {
    const file = await sixRows();
    const proc = fakeProcess();
    const wiring = {
      retryIntervalMs: 0,
      storeFor: (fn: string, store: ObjectStore) =>
        fn === 'validation'
          ? onFirstWrite(store, () => true, () => {
              proc.emit('SIGINT');
              proc.emit('SIGINT');
            })
          : store,
    };

    await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work, { wiring, process: proc });

    expect(proc.exits).toEqual([130]);
  });

  it('does not start the files after the one interrupted, and says which', async () => {
    const file = await sixRows();
    const other = join(dirs.work, 'other.csv');
    await writeFile(other, `${HEADER}\n9,ACC009,9.00,EUR,2024-02-01T09:00:00Z\n`);
    const proc = fakeProcess();
    const wiring = {
      retryIntervalMs: 0,
      storeFor: (fn: string, store: ObjectStore) => (fn === 'loop-prevention' ? onFirstWrite(store, () => true, () => proc.emit('SIGINT')) : store),
    };

    const result = await runCli(['ingest', file, other, '--json', '--lake', dirs.lake], dirs.work, { wiring, process: proc });

    expect(result.code).toBe(130);
    expect((JSON.parse(result.stdout) as Outcome[]).map((outcome) => outcome.status)).toEqual(['INTERRUPTED']);
    expect(result.stderr).toContain(`ledgerlake: Interrupted: 1 file not ingested: ${other}.\n`);
  });
});

describe('runs and runs show of an interrupted run', () => {
  const RUN_ID = '20240301T100000Z-intrpt';

  beforeEach(async () => {
    const lake = await openLake(dirs.lake);
    await writeRunRecordIfAbsent(lake.store, lake.layout, {
      run_id: RUN_ID,
      execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${RUN_ID}`,
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      started_at: '2024-03-01T10:00:00.000Z',
      source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-03-01/big.csv' },
      counts: { input_rows: 200_000 },
      status: 'INTERRUPTED',
      interrupted_at: '2024-03-01T10:00:04.250Z',
      signal: 'SIGTERM',
      state: 'ProcessParts',
    });
  });

  it('lists it as INTERRUPTED with the signal, the state and the time until the signal', async () => {
    const json = await runCli(['runs', '--json', '--lake', dirs.lake], dirs.work);
    const table = await runCli(['runs', '--lake', dirs.lake], dirs.work);

    expect(JSON.parse(json.stdout)).toEqual([
      {
        run_id: RUN_ID,
        status: 'INTERRUPTED',
        started_at: '2024-03-01T10:00:00.000Z',
        source_files: ['bronze/mortgages/transactions/ingest_date=2024-03-01/big.csv'],
        counts: { input_rows: 200_000 },
        quarantine_by_reason: {},
        duration_ms: 4250,
        interrupted: { signal: 'SIGTERM', state: 'ProcessParts' },
      },
    ]);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^${RUN_ID}  INTERRUPTED  200000 .* 4\\.3 s +interrupted by SIGTERM in ProcessParts$`));
  });

  it('shows it with its end time and the interruption', async () => {
    const json = await runCli(['runs', 'show', RUN_ID, '--json', '--lake', dirs.lake], dirs.work);
    const text = await runCli(['runs', 'show', RUN_ID, '--lake', dirs.lake], dirs.work);

    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'INTERRUPTED',
      interrupted: { signal: 'SIGTERM', state: 'ProcessParts' },
      timings: { ended_at: '2024-03-01T10:00:04.250Z', duration_ms: 4250 },
    });
    expect(text.stdout).toContain(`Run ${RUN_ID}: INTERRUPTED (mode ingest)\n`);
    expect(text.stdout).toContain('  interrupted by SIGTERM in ProcessParts: nothing published\n');
  });
});

describe('the ledgerlake bin interrupted by Ctrl-C', () => {
  it('stops a 200k-row run once its file is claimed: exit 130 soon after the signal, INTERRUPTED everywhere, and the file runs again', async () => {
    const file = join(dirs.work, 'big.csv');
    await generateTransactionsCsv(file, { rows: 200_000, seed: 7, accounts: 2_000, from: '2024-01', to: '2024-03', bad: NO_BAD_ROWS });
    const child = spawn(process.execPath, [BIN, 'ingest', file, '--json', '--lake', dirs.lake], { cwd: dirs.work, env: { ...process.env, LEDGERLAKE_LAKE: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    // Loop prevention has claimed the file: the run is in PreventLoops or ProcessParts, seconds before its promotion.
    const deadline = Date.now() + 45_000;
    while ((await ledgerEntries(dirs.lake)).length === 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the run never claimed its file: ${stderr}`);
      await new Promise((settle) => setTimeout(settle, 25));
    }
    const signalledAt = performance.now();
    child.kill('SIGINT');
    const [code, signal] = await exited;
    const stoppedMs = performance.now() - signalledAt;

    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stoppedMs).toBeLessThan(5_000);
    const [outcome] = JSON.parse(stdout) as Outcome[];
    expect(outcome?.status).toBe('INTERRUPTED');
    expect(['PreventLoops', 'IsDuplicateFile', 'ProcessParts']).toContain(outcome?.interrupted?.state);
    const runId = String(outcome?.run_id);
    const state = String(outcome?.interrupted?.state);
    expect(JSON.parse(await readFile(join(dirs.lake, 'artifacts/runs', runId, 'run.json'), 'utf8'))).toMatchObject({
      status: 'INTERRUPTED',
      signal: 'SIGINT',
      state,
      counts: { input_rows: 200_000 },
    });
    expect(await ledgerEntries(dirs.lake)).toMatchObject([{ run_id: runId, status: 'released', release_reason: 'interrupted by SIGINT' }]);
    expect(await workObjects(dirs.lake, runId)).toEqual([]);

    const runs = await runCli(['runs', '--json', '--lake', dirs.lake], dirs.work);
    const shown = await runCli(['runs', 'show', runId, '--lake', dirs.lake], dirs.work);
    const logs = await runCli(['logs', runId, '--function', 'ledgerlake', '--lake', dirs.lake], dirs.work);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ run_id: runId, status: 'INTERRUPTED', interrupted: { signal: 'SIGINT', state } }]);
    expect(shown.stdout).toContain(`  interrupted by SIGINT in ${state}: nothing published\n`);
    expect(logs.stdout).toMatch(new RegExp(`WARN +ledgerlake +run interrupted  signal=SIGINT  state=${state}  claim_released=true`));

    const again = await runCli(['ingest', file, '--json', '--lake', dirs.lake], dirs.work);

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject([{ status: 'PUBLISHED', counts: { input_rows: 200_000, valid_rows: 200_000 } }]);
  });
});
