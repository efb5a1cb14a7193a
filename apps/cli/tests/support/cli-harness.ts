import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../../src/cli-io';
import { main } from '../../src/main';

/** The repository root, for the bundled samples and the real bin. */
export const REPO = resolve(__dirname, '../../../..');
/** The reference sample (docs/contract/tables.md, "Reference report"): 8 valid rows over Q1 2024. */
export const Q1_SAMPLE = join(REPO, 'samples/transactions-2024-q1.csv');

/** What one in-process CLI call returned and printed. */
export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh working folder and an empty lake folder in it per test, removed afterwards. */
export function useTempLake(prefix: string): { readonly work: string; readonly lake: string } {
  const dirs = { work: '', lake: '' };
  beforeEach(async () => {
    dirs.work = await mkdtemp(join(tmpdir(), prefix));
    dirs.lake = join(dirs.work, 'lake');
    await mkdir(dirs.lake);
  });
  afterEach(async () => {
    await rm(dirs.work, { recursive: true, force: true });
  });
  return dirs;
}

/** Runs the real CLI entry in-process with captured output (not terminals, unless `stdoutIsTTY`), in `cwd`. */
export async function runCli(argv: readonly string[], cwd: string, extra: Partial<CliIo> & { readonly stdoutIsTTY?: boolean } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const { stdoutIsTTY, ...rest } = extra;
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk), ...(stdoutIsTTY === true ? { isTTY: true } : {}) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    cwd,
    ...rest,
  };
  const code = await main([...argv], io);
  return { code, stdout, stderr };
}

/** Parses newline-delimited JSON (blank lines ignored). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The run's `logs.jsonl` in the lake, parsed. */
export async function runLogLines(lake: string, runId: string): Promise<Record<string, unknown>[]> {
  return jsonLines(await readFile(join(lake, 'artifacts/runs', runId, 'logs.jsonl'), 'utf8'));
}
