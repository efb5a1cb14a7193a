import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateTransactionsCsv } from '@ledgerlake/testing';
import { REPO, useTempLake } from '../support/cli-harness';

/*
 * The progress line in a real pseudo-terminal (util-linux `script` gives the command one): redrawn
 * in place with the phase in words and rows done of the total, cleared before the summary — and
 * absent when the output is a pipe.
 */

const BIN = join(REPO, 'apps/cli/bin/ledgerlake.js');
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
const run = promisify(execFile);
const dirs = useTempLake('ledgerlake-progress-');
const CLEAR = '\r\x1b[2K';

const describeWithPty = SCRIPT === undefined ? describe.skip : describe;
if (SCRIPT === undefined) console.warn('progress.test: no `script` (util-linux) on this machine, so no pseudo-terminal: the progress tests are skipped.');

describeWithPty('the progress line of ingest', () => {
  it('on a terminal: redrawn in place, the phase in words, rows of the total with % and rate, then cleared before the summary', async () => {
    const file = join(dirs.work, 'many.csv');
    await generateTransactionsCsv(file, { rows: 20_000, seed: 7 });
    const command = [process.execPath, BIN, 'ingest', file, '--lake', dirs.lake].map((word) => `'${word}'`).join(' ');

    const { stdout } = await run(SCRIPT as string, ['-qfec', command, '/dev/null'], { cwd: dirs.work, env: { ...process.env, COLUMNS: '200', NO_COLOR: '1' }, maxBuffer: 64 << 20 }).catch(
      (error: { stdout: string; code: number }) => error,
    );

    const frames = stdout.split(CLEAR);
    const lines = frames.map((frame) => frame.split('  ').slice(1, 2)[0] ?? '');
    expect(lines).toEqual(expect.arrayContaining(['Reading rows', 'Checking for duplicates', 'Validating and writing rows', 'Checking the promotion gate', 'Writing the run report']));
    expect(frames.some((frame) => /Validating and writing rows {2}[\d,]+ of 20,000 rows {2}\d+%/.test(frame))).toBe(true);
    expect(frames.some((frame) => /20,000 of 20,000 rows {2}100% {2}[\d,]+ rows\/s/.test(frame))).toBe(true);
    // Each frame is one line (no line feed inside it) and the summary comes only after the last clear.
    expect(frames.slice(1, -1).every((frame) => !frame.includes('\n'))).toBe(true);
    expect(frames.at(-1)).toMatch(/^(PUBLISHED|BLOCKED) +\S+many\.csv/);
  });

  it('into a pipe: no progress at all, only the summary', async () => {
    await generateTransactionsCsv(join(dirs.work, 'few.csv'), { rows: 500, seed: 8 });

    const result = await run(process.execPath, [BIN, 'ingest', 'few.csv', '--lake', dirs.lake], { cwd: dirs.work }).catch((error: { stdout: string; stderr: string }) => error);

    expect(result.stderr).not.toContain('\x1b[2K');
    expect(result.stdout).toMatch(/^(PUBLISHED|BLOCKED) +few\.csv/);
  });
});
