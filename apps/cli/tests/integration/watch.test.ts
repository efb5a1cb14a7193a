import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TransientStorageError } from '@ledgerlake/domain';
import type { ObjectStore } from '@ledgerlake/storage';
import type { CliIo } from '../../src/cli-io';
import { main } from '../../src/main';
import { jsonLines, Q1_SAMPLE, runCli, runLogLines, useTempLake } from '../support/cli-harness';

const BRONZE_KEY = 'mortgages/transactions/ingest_date=2024-04-01/dropped.csv';

const dirs = useTempLake('ledgerlake-watch-');
const run = (argv: string[], extra: Partial<CliIo> = {}) => runCli(argv, dirs.work, extra);

/** Drops a file into Bronze by hand, as an upload to the bucket would. */
async function dropIntoBronze(key: string): Promise<void> {
  const path = join(dirs.lake, 'bronze', key);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(Q1_SAMPLE, path);
}

describe('ledgerlake watch --once', () => {
  it('runs a file dropped into Bronze by hand, exits 0, and starts nothing when run again', async () => {
    await dropIntoBronze(BRONZE_KEY);

    const first = await run(['watch', '--once', '--json', '--lake', dirs.lake]);
    const second = await run(['watch', '--once', '--json', '--lake', dirs.lake]);

    expect(first.code).toBe(0);
    const [outcome, ...others] = jsonLines(first.stdout);
    expect(others).toEqual([]);
    expect(outcome).toMatchObject({
      trigger: 'once',
      file: BRONZE_KEY,
      status: 'PUBLISHED',
      source: { bucket: 'bronze', key: BRONZE_KEY },
      counts: { input_rows: 8, valid_rows: 8 },
    });
    expect(second).toEqual({ code: 0, stdout: '', stderr: '' });
    // One run folder (beside the runs' report index).
    expect((await readdir(join(dirs.lake, 'artifacts/runs'))).filter((name) => !name.startsWith('index.'))).toEqual([outcome?.['run_id']]);
  });

  it('prints one summary line per run without --json, and runs only the objects not yet processed', async () => {
    await run(['ingest', Q1_SAMPLE, '--lake', dirs.lake]);
    const other = 'mortgages/transactions/ingest_date=2024-04-02/other.csv';
    const csv = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n9,ACC009,5.00,GBP,2024-04-02T09:00:00Z\n';
    await mkdir(dirname(join(dirs.lake, 'bronze', other)), { recursive: true });
    await writeFile(join(dirs.lake, 'bronze', other), csv);

    const result = await run(['watch', '--once', '--lake', dirs.lake]);

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^PUBLISHED +${other.replace(/[.]/g, '\\.')}  \\(run \\S+, .*\\)  1 row: 1 valid`));
  });

  it("never starts an ingest run of a runbook file (a retry's rows, a backfill's input) that no run took, as the cloud's starter does not", async () => {
    const retryFile = 'mortgages/transactions/ingest_date=2024-04-01/retry-20240401T090000Z-a1b2c3.csv';
    const backfillFile = 'mortgages/transactions/ingest_date=2024-04-01/backfill-2024-03-backfill-20240401T090000Z-d4e5f6.csv';
    await dropIntoBronze(retryFile);
    await dropIntoBronze(backfillFile);
    await dropIntoBronze(BRONZE_KEY);

    const result = await run(['watch', '--once', '--json', '--lake', dirs.lake]);

    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((line) => line['file'])).toEqual([BRONZE_KEY]);
  });

  it("refuses to ingest a file named like a runbook file: it would never be run again by a trigger", async () => {
    const named = join(dirs.work, 'retry-20240401T090000Z-a1b2c3.csv');
    await copyFile(Q1_SAMPLE, named);

    const result = await run(['ingest', named, '--lake', dirs.lake]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `ledgerlake: ${named} is named like a file the runbook lands itself (retry-<run id>.csv, backfill-<YYYY-MM>-<run id>.csv); rename it and ingest it again. Nothing was ingested.`,
    ]);
  });

  it('rejects a malformed --daily as wrong usage', async () => {
    const result = await run(['watch', '--daily', '2am', '--lake', dirs.lake]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected HH:MM');
  });
});

describe('ledgerlake watch (polling)', () => {
  it('runs an object that appears after the watch started, once, and stops on the signal', async () => {
    await dropIntoBronze('mortgages/transactions/ingest_date=2024-04-01/before.csv');
    const stop = new AbortController();
    let stdout = '';
    const io: CliIo = {
      stdout: {
        write: (chunk: string) => {
          stdout += chunk;
          stop.abort();
        },
      },
      stderr: { write: () => true },
      env: {},
      cwd: dirs.work,
      signal: stop.signal,
    };
    const watching = main(['watch', '--interval', '0.05', '--json', '--lake', dirs.lake], io);
    await new Promise((done) => setTimeout(done, 200));
    await dropIntoBronze(BRONZE_KEY);

    const code = await watching;

    expect(code).toBe(0);
    expect(jsonLines(stdout)).toMatchObject([{ trigger: 'object-created', file: BRONZE_KEY, status: 'PUBLISHED' }]);
  });
});

describe('a transient storage failure in a real run', () => {
  it('is retried by the state machine and the run is still published', async () => {
    let failures = 0;
    const failFirstWrite = (store: ObjectStore): ObjectStore =>
      new Proxy(store, {
        get(target, property) {
          if ((property === 'put' || property === 'putStream') && failures === 0) {
            return () => {
              failures += 1;
              return Promise.reject(new TransientStorageError('storage: injected 503 on the first write'));
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });

    const result = await run(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], {
      wiring: {
        storeFor: (fn, store) => (fn === 'validation' ? failFirstWrite(store) : store),
        retryIntervalMs: 0,
      },
    });

    expect(result.code).toBe(0);
    const [outcome] = JSON.parse(result.stdout) as { run_id: string; status: string }[];
    expect(outcome?.status).toBe('PUBLISHED');
    expect(failures).toBe(1);
    const lines = await runLogLines(dirs.lake, String(outcome?.run_id));
    const validation = lines.filter((line) => line['service'] === 'validation');
    const failed = validation.filter((line) => line['level'] === 'ERROR' && line['message'] === 'invocation failed');
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0])).toContain('TransientStorageError');
    expect(JSON.stringify(failed[0])).toContain('injected 503 on the first write');
    // Three invocations of validation: the part's failed attempt, its retry (which validated the rows), the breaker check.
    const invocations = new Set(validation.map((line) => line['function_request_id']).filter((id) => typeof id === 'string'));
    expect(invocations.size).toBe(3);
    const validated = validation.find((line) => line['message'] === 'part validated');
    expect(validated?.['function_request_id']).not.toBe(failed[0]?.['function_request_id']);
  });
});
