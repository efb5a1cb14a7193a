import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * Reading a lake needs no write access and changes nothing; a path that is not a lake is an error
 * naming it, never an empty lake created on the spot.
 */

const dirs = useTempLake('ledgerlake-read-only-');
const run = (...argv: string[]) => runCli(argv, dirs.work);

/** Every read command, with what it needs (a run id). */
const READS = (runId: string): string[][] => [
  ['runs'],
  ['runs', 'show', runId],
  ['logs', runId],
  ['query', 'select count(*) as n from silver.transactions'],
  ['report', 'balances', '--from', '2024-01', '--to', '2024-03'],
  ['quarantine', 'list'],
  ['condemned', 'list'],
  ['breaker', 'status'],
  ['partitions', 'history', '2024-01'],
];

async function listing(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      found.push(relative(dir, path));
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return found.sort();
}

async function ingestedLake(): Promise<string> {
  const result = await run('ingest', Q1_SAMPLE, join(REPO, 'samples/transactions-2024-04-with-errors.csv'), '--json', '--lake', dirs.lake);
  return (JSON.parse(result.stdout) as { run_id: string }[])[0]?.run_id as string;
}

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('reading a lake', () => {
  it('creates nothing: every read command leaves the lake folder exactly as it was', async () => {
    const runId = await ingestedLake();
    const before = await listing(dirs.lake);

    for (const argv of READS(runId)) {
      const result = await run(...argv, '--lake', dirs.lake);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 0, stderr: '' });
    }

    expect(await listing(dirs.lake)).toEqual(before);
  });

  it('works on a lake nobody may write to', async () => {
    const runId = await ingestedLake();
    let lake = dirs.lake;
    let restore: () => Promise<void>;
    if (canMount()) {
      // root ignores permissions: the lake becomes a read-only mount of a copy of itself.
      const ro = join(dirs.work, 'ro-lake');
      await mkdir(ro);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', ro]);
      execFileSync('cp', ['-a', `${dirs.lake}/.`, ro]);
      execFileSync('mount', ['-o', 'remount,ro', ro]);
      lake = ro;
      restore = async () => void execFileSync('umount', [ro]);
    } else {
      execFileSync('chmod', ['-R', 'a-w', dirs.lake]);
      restore = () => chmod(dirs.lake, 0o755).then(() => void execFileSync('chmod', ['-R', 'u+w', dirs.lake]));
    }
    try {
      for (const argv of READS(runId)) {
        const result = await run(...argv, '--lake', lake);
        expect({ argv, code: result.code, stderr: result.stderr }).toEqual({ argv, code: 0, stderr: '' });
      }
    } finally {
      await restore();
    }
  });

  it.each([['runs'], ['query', 'select 1'], ['quarantine', 'list']])(
    '`%s …` on a path that does not exist says so, naming it, and creates nothing',
    async (...argv) => {
      const typo = join(dirs.work, 'typo-lake');

      const result = await run(...argv, '--lake', typo);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`ledgerlake: There is no lake at ${typo} (no such folder): check --lake or LEDGERLAKE_LAKE.\n`);
      expect(existsSync(typo)).toBe(false);
    },
  );

  it('a folder that is not a lake is an error naming it', async () => {
    const other = join(dirs.work, 'photos');
    await mkdir(other);
    await writeFile(join(other, 'cat.jpg'), 'x');

    const result = await run('runs', '--lake', other);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `ledgerlake: ${other} is not a lake folder (it has none of bronze/, silver/, gold/, quarantine/, artifacts/): check --lake or LEDGERLAKE_LAKE.\n`,
    );
  });
});
