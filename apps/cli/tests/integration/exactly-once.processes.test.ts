import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateTransactionsCsv, seededRandom } from '@ledgerlake/testing';
import { REPO, runCli, useTempLake } from '../support/cli-harness';
import { publishedState, restingProblems } from '../support/lake-state';

/*
 * Exactly once across real `ledgerlake` processes (docs/exactly-once.md): process groups killed
 * with SIGKILL at random moments and the file ingested again; several processes ingesting files
 * that share rows and months at the same moment; the same file three times at once. Every lake is
 * read back by SQL over what each month's `_LATEST.json` lists.
 */

const BIN = join(REPO, 'apps/cli/bin/ledgerlake.js');
const FULL = process.env['LEDGERLAKE_FAULT_SUITE'] === 'full';
const dirs = useTempLake('ledgerlake-exactly-once-processes-');
jest.setTimeout(20 * 60_000);

interface Spawned {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `ledgerlake ingest FILE... --json` as its own process group. */
function spawnIngest(lake: string, files: readonly string[]): Spawned {
  const child = spawn(process.execPath, [BIN, 'ingest', ...files, '--json', '--lake', lake], {
    cwd: dirs.work,
    detached: true,
    env: { ...process.env, LEDGERLAKE_LAKE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return { child, done };
}

async function ingestProcess(lake: string, files: readonly string[]): Promise<{ status: string; run_id: string }[]> {
  const result = await spawnIngest(lake, files).done;
  try {
    return JSON.parse(result.stdout) as { status: string; run_id: string }[];
  } catch {
    throw new Error(`ingest printed no JSON (exit ${result.code}): ${result.stdout}${result.stderr}`);
  }
}

async function sql<T>(lake: string, query: string): Promise<T[]> {
  const result = await runCli(['query', query, '--json', '--lake', lake], dirs.work);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as T[];
}

/** Every input line of every file in exactly one of Silver, Quarantine, Condemned; no business key published twice. */
async function exactlyOnceProblems(lake: string, inputRows: number): Promise<string[]> {
  const problems = await restingProblems(lake);
  const [placed] = await sql<{ rows: number; distinct_rows: number }>(
    lake,
    `select count(*) as rows, count(distinct (source_file_id, source_line)) as distinct_rows from (
       select source_file_id, source_line from silver.transactions
       union all select source_file_id, source_line from quarantine.rows
       union all select source_file_id, source_line from quarantine.condemned)`,
  );
  if (placed?.rows !== inputRows) problems.push(`${placed?.rows} rows placed for ${inputRows} input rows`);
  if (placed?.distinct_rows !== placed?.rows) problems.push(`${(placed?.rows ?? 0) - (placed?.distinct_rows ?? 0)} input rows placed twice`);
  const twice = await sql<{ id: number }>(
    lake,
    "select id, cast(tx_date as date) as day from silver.transactions group by all having count(*) > 1",
  );
  if (twice.length > 0) problems.push(`${twice.length} business keys published more than once`);
  return problems;
}

/**
 * What must be equal to a sequential ingest of the same files: the published rows and money, Gold,
 * and how many rows were rejected. Which rejected rows are quarantined and which condemned may
 * differ: a bad row sent in two files at once is quarantined in both, where one after the other
 * the second copy is condemned as a re-send (the quarantine-history check is not serialized; each
 * copy is still in exactly one place).
 */
async function totals(lake: string): Promise<unknown> {
  return sql(
    lake,
    `select (select count(*) from silver.transactions) as silver,
            (select cast(sum(amount) as varchar) from silver.transactions) as amount,
            (select count(*) from quarantine.rows) + (select count(*) from quarantine.condemned) as rejected,
            (select cast(sum(balance) as varchar) from gold.account_balances) as gold_balances`,
  );
}

async function generated(name: string, rows: number, seed: number, firstId = 1): Promise<string> {
  const path = join(dirs.work, name);
  await generateTransactionsCsv(path, { rows, seed, accounts: 200, from: '2024-01', to: '2024-06', firstId });
  return path;
}

/** A file holding `shared` data rows of `from` (its first ones) and then its own. */
async function withSharedRows(name: string, from: string, shared: number, own: string): Promise<string> {
  const lines = (await readFile(from, 'utf8')).trimEnd().split('\n');
  const ownLines = (await readFile(own, 'utf8')).trimEnd().split('\n');
  const path = join(dirs.work, name);
  await writeFile(path, `${[...ownLines, ...lines.slice(1, 1 + shared)].join('\n')}\n`);
  return path;
}

describe('exactly once across ledgerlake processes', () => {
  it('a process group killed with SIGKILL at random moments: the next ingest of the file ends as if nothing had happened', async () => {
    const file = await generated('kill.csv', 20_000, 7);
    const reference = join(dirs.work, 'reference');
    expect((await ingestProcess(reference, [file]))[0]?.status).toBe('PUBLISHED');
    const expected = await publishedState(reference, dirs.work);
    const timed = Date.now();
    await ingestProcess(join(dirs.work, 'timing'), [file]);
    const runMs = Date.now() - timed;

    const random = seededRandom(2026);
    const kills = FULL ? 8 : 2;
    const failures: string[] = [];
    for (let kill = 0; kill < kills; kill++) {
      const lake = join(dirs.work, `killed-${kill}`);
      const delay = Math.round(200 + random() * (runMs - 200));
      const victim = spawnIngest(lake, [file]);
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        process.kill(-(victim.child.pid as number), 'SIGKILL');
      } catch {
        // it had already ended
      }
      await victim.done;
      const again = await ingestProcess(lake, [file]);
      const where = `killed after ${delay} ms of ${runMs}, then ${again[0]?.status}`;
      if (!['PUBLISHED', 'SKIPPED'].includes(again[0]?.status ?? '')) failures.push(`${where}: the re-run did not complete`);
      const problems = await exactlyOnceProblems(lake, 20_000);
      if (problems.length > 0) failures.push(`${where}: ${problems.join('; ')}`);
      if (JSON.stringify(await publishedState(lake, dirs.work)) !== JSON.stringify(expected)) failures.push(`${where}: published state differs`);
    }
    expect(failures).toEqual([]);
  });

  it.each(FULL ? [2, 4] : [2])('%i processes at once, files sharing rows and months: every key published once, as a sequential ingest would', async (count) => {
    const base = await generated('base.csv', 10_000, 11);
    const files = [base];
    for (let n = 1; n < count; n++) {
      const own = await generated(`own-${n}.csv`, 10_000, 11 + n, 1_000_000 * n);
      files.push(await withSharedRows(`shared-${n}.csv`, base, 50, own));
    }
    const sequential = join(dirs.work, 'sequential');
    for (const file of files) await ingestProcess(sequential, [file]);

    const outcomes = (await Promise.all(files.map((file) => ingestProcess(dirs.lake, [file])))).flat();

    expect(outcomes.map((o) => o.status)).toEqual(files.map(() => 'PUBLISHED'));
    expect(await exactlyOnceProblems(dirs.lake, files.length * 10_000 + (files.length - 1) * 50)).toEqual([]);
    expect(await totals(dirs.lake)).toEqual(await totals(sequential));
  });

  it('the same file three times at once, in three processes: one run publishes it, two are skipped', async () => {
    const file = await generated('same.csv', 10_000, 5);
    const reference = join(dirs.work, 'reference');
    await ingestProcess(reference, [file]);

    const outcomes = (await Promise.all([1, 2, 3].map(() => ingestProcess(dirs.lake, [file])))).flat();

    expect(outcomes.map((o) => o.status).sort()).toEqual(['PUBLISHED', 'SKIPPED', 'SKIPPED']);
    expect(await publishedState(dirs.lake, dirs.work)).toEqual(await publishedState(reference, dirs.work));
    expect(await exactlyOnceProblems(dirs.lake, 10_000)).toEqual([]);
  });
});
