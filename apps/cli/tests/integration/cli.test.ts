import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Q1_SAMPLE, REPO, runCli, runLogLines, useTempLake, type Captured } from '../support/cli-harness';

const BIN = join(REPO, 'apps/cli/bin/ledgerlake.js');
// A published run's Tasks: the row functions, promotion, and the run recorder's report (every run's last step).
const TASK_FUNCTIONS = ['enrichment', 'loop-prevention', 'validation', 'partition-writer', 'promotion', 'run-recorder'];

const dirs = useTempLake('ledgerlake-cli-');
const run = (...argv: string[]): Promise<Captured> => runCli(argv, dirs.work);

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}


describe('ledgerlake ingest', () => {
  it('publishes the reference sample into Silver with a run log holding every function and only its run id', async () => {
    const result = await run('ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake);

    expect(result.code).toBe(0);
    const [outcome, ...others] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(others).toEqual([]);
    expect(outcome).toMatchObject({
      status: 'PUBLISHED',
      counts: { input_rows: 8, valid_rows: 8, quarantined_rows: 0, condemned_rows: 0 },
      quarantine_by_reason: {},
    });
    const runId = String(outcome?.['run_id']);
    const silver = await filesUnder(join(dirs.lake, 'silver'));
    for (const month of ['01', '02', '03']) {
      const folder = `mortgages/transactions/year=2024/month=${month}/schema_v=v1/run_id=${runId}/`;
      expect(silver).toContain(`${folder}_SUCCESS`);
      expect(silver.some((key) => key.startsWith(folder) && key.endsWith('.parquet'))).toBe(true);
      expect(silver).toContain(`mortgages/transactions/year=2024/month=${month}/schema_v=v1/_LATEST.json`);
    }
    expect(outcome?.['partitions']).toEqual([
      { partition: '2024-01', version: 1, rows: 2 },
      { partition: '2024-02', version: 1, rows: 3 },
      { partition: '2024-03', version: 1, rows: 3 },
    ]);
    const lines = await runLogLines(dirs.lake, runId);
    expect(lines.every((line) => line['run_id'] === runId)).toBe(true);
    expect(new Set(lines.map((line) => line['service']))).toEqual(new Set(TASK_FUNCTIONS));
  });

  it('keeps the run log out of stdout: --json prints exactly one JSON array', async () => {
    const result = await run('ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake);

    expect(result.stdout.trimStart().startsWith('[')).toBe(true);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    expect(result.stdout).not.toContain('"level"');
  });

  it('skips a second ingest of the same content with exit 0 and says so', async () => {
    const first = await run('ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake);
    const firstRunId = (JSON.parse(first.stdout) as { run_id: string }[])[0]?.run_id;

    const second = await run('ingest', Q1_SAMPLE, '--lake', dirs.lake);

    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^SKIPPED /);
    expect(second.stdout).toContain(`already ingested by run ${firstRunId} (same content): nothing written`);
  });

  it('fails a file missing a column: exit 1, FAILED naming the column and the state, run.json, nothing in Silver', async () => {
    const file = join(dirs.work, 'no-currency.csv');
    await writeFile(file, 'TransactionID,CustomerID,TransactionAmount,TransactionTimestamp\n1,ACC001,1.00,2024-01-05T09:00:00Z\n');

    const result = await run('ingest', file, '--json', '--lake', dirs.lake);

    expect(result.code).toBe(1);
    const [outcome] = JSON.parse(result.stdout) as { run_id: string; status: string; error: Record<string, unknown> }[];
    expect(outcome?.status).toBe('FAILED');
    expect(outcome?.error).toMatchObject({ name: 'MissingColumnsError', state: 'PlanChunks' });
    expect(String(outcome?.error['message'])).toContain('missing required column(s) Currency');
    const record = JSON.parse(await readFile(join(dirs.lake, 'artifacts/runs', String(outcome?.run_id), 'run.json'), 'utf8')) as {
      status: string;
      error: string;
    };
    expect(record).toMatchObject({ status: 'FAILED', error: 'MissingColumnsError' });
    expect(await filesUnder(join(dirs.lake, 'silver'))).toEqual([]);
  });

  it('rejects a missing file with one sentence and exit 1, before ingesting anything', async () => {
    const result = await run('ingest', Q1_SAMPLE, 'nope.csv', '--lake', dirs.lake);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ledgerlake: Cannot read nope.csv: no such file; nothing was ingested.\n');
    expect(await filesUnder(join(dirs.lake, 'bronze'))).toEqual([]);
  });

  it('rejects an unknown option as wrong usage (exit 2) with a hint', async () => {
    const result = await run('ingest', Q1_SAMPLE, '--bogus', '--lake', dirs.lake);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).toContain('ledgerlake --help');
  });

  it('refuses a lake path that is a file, in one sentence', async () => {
    const notADir = join(dirs.work, 'file');
    await writeFile(notADir, 'x');

    const result = await run('ingest', Q1_SAMPLE, '--lake', notADir);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`ledgerlake: The lake folder ${notADir} exists but is not a directory.\n`);
  });
});

describe('ledgerlake runs and logs', () => {
  it('lists runs newest first with status and counts, and shows a run log filtered by function', async () => {
    const published = await run('ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake);
    const skipped = await run('ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake);
    const [first] = JSON.parse(published.stdout) as { run_id: string }[];
    const [second] = JSON.parse(skipped.stdout) as { run_id: string }[];

    const runs = await run('runs', '--json', '--lake', dirs.lake);
    const logs = await run('logs', String(first?.run_id), '--function', 'validation', '--lake', dirs.lake);

    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject([
      { run_id: second?.run_id, status: 'SKIPPED', duplicate_of: first?.run_id },
      { run_id: first?.run_id, status: 'PUBLISHED', counts: { input_rows: 8, valid_rows: 8 } },
    ]);
    expect(logs.code).toBe(0);
    const shown = logs.stdout.trim().split('\n');
    expect(shown.some((line) => line.includes('part validated'))).toBe(true);
    expect(shown.every((line) => /\s(INFO|WARN|ERROR|DEBUG|METRIC)\s+validation\s/.test(line))).toBe(true);
  });

  it('reports an unknown run in one sentence with exit 2', async () => {
    const result = await run('logs', '20240101T000000Z-nope', '--lake', dirs.lake);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ledgerlake: The lake has no run 20240101T000000Z-nope (see `ledgerlake runs`).\n');
  });
});

describe('the ledgerlake bin', () => {
  it('prints only JSON on stdout for ingest --json and exits with the status code', async () => {
    const outcome = await promisify(execFile)(process.execPath, [BIN, 'ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], {
      cwd: dirs.work,
      env: { ...process.env, LEDGERLAKE_LAKE: '' },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toMatchObject([{ status: 'PUBLISHED', counts: { input_rows: 8 } }]);
  });
});
