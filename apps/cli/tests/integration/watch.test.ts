import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TransientStorageError } from '@ledgerlake/domain';
import type { ObjectStore } from '@ledgerlake/storage';
import { main, type CliIo } from '../../src/main';

const REPO = resolve(__dirname, '../../../..');
const Q1_SAMPLE = join(REPO, 'samples/transactions-2024-q1.csv');
const BRONZE_KEY = 'mortgages/transactions/ingest_date=2024-04-01/dropped.csv';

let work: string;
let lake: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'ledgerlake-watch-'));
  lake = join(work, 'lake');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function run(argv: string[], extra: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    cwd: work,
    ...extra,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Drops a file into Bronze by hand, as an upload to the bucket would. */
async function dropIntoBronze(key: string): Promise<void> {
  const path = join(lake, 'bronze', key);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(Q1_SAMPLE, path);
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('ledgerlake watch --once', () => {
  it('runs a file dropped into Bronze by hand, exits 0, and starts nothing when run again', async () => {
    await dropIntoBronze(BRONZE_KEY);

    const first = await run(['watch', '--once', '--json', '--lake', lake]);
    const second = await run(['watch', '--once', '--json', '--lake', lake]);

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
    expect(await readdir(join(lake, 'artifacts/runs'))).toEqual([outcome?.['run_id']]);
  });

  it('prints one summary line per run without --json, and runs only the objects not yet processed', async () => {
    await run(['ingest', Q1_SAMPLE, '--lake', lake]);
    const other = 'mortgages/transactions/ingest_date=2024-04-02/other.csv';
    const csv = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n9,ACC009,5.00,GBP,2024-04-02T09:00:00Z\n';
    await mkdir(dirname(join(lake, 'bronze', other)), { recursive: true });
    await writeFile(join(lake, 'bronze', other), csv);

    const result = await run(['watch', '--once', '--lake', lake]);

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^PUBLISHED +${other.replace(/[.]/g, '\\.')}  \\(run \\S+, .*\\)  1 rows: 1 valid`));
  });

  it('rejects a malformed --daily as wrong usage', async () => {
    const result = await run(['watch', '--daily', '2am', '--lake', lake]);

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
      cwd: work,
      signal: stop.signal,
    };
    const watching = main(['watch', '--interval', '0.05', '--json', '--lake', lake], io);
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

    const result = await run(['ingest', Q1_SAMPLE, '--json', '--lake', lake], {
      wiring: {
        storeFor: (fn, store) => (fn === 'validation' ? failFirstWrite(store) : store),
        retryIntervalMs: 0,
      },
    });

    expect(result.code).toBe(0);
    const [outcome] = JSON.parse(result.stdout) as { run_id: string; status: string }[];
    expect(outcome?.status).toBe('PUBLISHED');
    expect(failures).toBe(1);
    const lines = (await readFile(join(lake, 'artifacts/runs', String(outcome?.run_id), 'logs.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const validation = lines.filter((line) => line['service'] === 'validation');
    const failed = validation.filter((line) => line['level'] === 'ERROR' && line['message'] === 'invocation failed');
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0])).toContain('TransientStorageError');
    expect(JSON.stringify(failed[0])).toContain('injected 503 on the first write');
    // Two invocations of validation: the failed attempt and the retry, which validated the rows.
    const invocations = new Set(validation.map((line) => line['function_request_id']).filter((id) => typeof id === 'string'));
    expect(invocations.size).toBe(2);
    const validated = validation.find((line) => line['message'] === 'rows validated');
    expect(validated?.['function_request_id']).not.toBe(failed[0]?.['function_request_id']);
  });
});
