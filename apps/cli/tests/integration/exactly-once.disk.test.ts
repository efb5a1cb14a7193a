import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '@ledgerlake/storage';
import { FaultInjectingStore, generateTransactionsCsv } from '@ledgerlake/testing';
import type { LocalWiring } from '../../src/local-lake';
import { runCli, useTempLake } from '../support/cli-harness';
import { publishedState, restingProblems } from '../support/lake-state';

/*
 * A real full disk and a real read-only lake (docs/exactly-once.md): the lake on a small tmpfs
 * that fills up during the run, or is remounted read-only at a chosen write; then space (or write
 * access) comes back and the same file is ingested again. Needs root (mount): CI runs as root;
 * elsewhere these cases are left out, and the fault-injecting store covers the same paths.
 */

const FULL = process.env['LEDGERLAKE_FAULT_SUITE'] === 'full';
const dirs = useTempLake('ledgerlake-exactly-once-disk-');
jest.setTimeout(10 * 60_000);

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'ledgerlake-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const describeMounted = canMount() ? describe : describe.skip;

type Outcome = { status: string; run_id: string | null; error?: { message: string } };

async function ingest(lake: string, file: string, wiring: LocalWiring = {}, ...flags: string[]): Promise<Outcome[]> {
  const result = await runCli(['ingest', file, '--json', ...flags, '--lake', lake], dirs.work, { wiring: { retryIntervalMs: 0, ...wiring } });
  return JSON.parse(result.stdout) as Outcome[];
}

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
}

function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir]);
}

describeMounted('exactly once on a real full disk and a real read-only lake', () => {
  const mounted: string[] = [];
  afterEach(() => {
    for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
  });

  /**
   * The file, the state an uninterrupted run leaves, and how many writes that run makes before it
   * removes its work area (the run's last step, whose failure is only a warning: docs/work-area.md).
   */
  async function fixture(): Promise<{ file: string; expected: Awaited<ReturnType<typeof publishedState>>; writes: number }> {
    const file = join(dirs.work, 'disk.csv');
    await generateTransactionsCsv(file, { rows: 5_000, seed: 3, accounts: 100, from: '2024-01', to: '2024-04' });
    const reference = join(dirs.work, 'reference');
    let beforeTidy: number | undefined;
    const counting = new FaultInjectingStore(new FsObjectStore(reference), (call) => {
      if (beforeTidy === undefined && call.op === 'delete' && call.key.startsWith('work/')) beforeTidy = call.mutation - 1;
      return undefined;
    });
    expect((await ingest(reference, file, { storeFor: () => counting }))[0]?.status).toBe('PUBLISHED');
    return { file, expected: await publishedState(reference, dirs.work), writes: beforeTidy ?? counting.mutations };
  }

  it.each(FULL ? ['200k', '600k', '1000k', '1400k', '1800k', '2200k'] : ['1000k', '2200k'])(
    'the disk fills up during the run (tmpfs of %s): one sentence, and once there is space the file ends as if nothing had happened',
    async (size) => {
      const { file, expected } = await fixture();
      const lake = join(dirs.work, 'small');
      mountTmpfs(lake, size);
      mounted.push(lake);

      const [first] = await ingest(lake, file);
      expect(first?.status).toMatch(/^(FAILED|PROMOTING)$/);
      expect(first?.error?.message).toMatch(/ENOSPC|no space/i);

      remount(lake, 'size=256m');
      // What the operator is told to do after a FAILED run (docs/quarantine-lifecycle.md): run it
      // again on request; a PROMOTING one is rolled forward by any next run.
      const [again] = await ingest(lake, file, {}, '--force');

      expect(['PUBLISHED', 'SKIPPED']).toContain(again?.status);
      expect(await restingProblems(lake)).toEqual([]);
      expect(await publishedState(lake, dirs.work)).toEqual(expected);
    },
  );

  it.each(FULL ? [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95] : [0.3, 0.9])(
    'the lake turns read-only %p of the way through the run\'s writes: once it is writable again the file ends as if nothing had happened',
    async (fraction) => {
      const { file, expected, writes } = await fixture();
      const at = Math.max(1, Math.round(fraction * writes));
      const lake = join(dirs.work, 'ro');
      mountTmpfs(lake, '256m');
      mounted.push(lake);
      let turned = false;
      let refused = false;
      const store = new FaultInjectingStore(new FsObjectStore(lake), undefined, async (call) => {
        if (!turned && call.mutation >= at) {
          turned = true;
          try {
            remount(lake, 'ro');
          } catch {
            // The kernel refuses a read-only remount while a file on the mount is open for writing
            // (DuckDB's Gold work files during Promote): from here on the store refuses every write
            // as the read-only mount would, until the mount is made writable again below.
            refused = true;
          }
        }
        if (refused && call.mutation > 0) {
          throw Object.assign(new Error(`EROFS: read-only file system, write '${call.key}'`), { code: 'EROFS' });
        }
      });

      const [first] = await ingest(lake, file, { storeFor: () => store });
      expect(turned).toBe(true);
      expect(first?.status).toMatch(/^(FAILED|PROMOTING)$/);

      refused = false;
      remount(lake, 'rw');
      // What the operator is told to do after a FAILED run (docs/quarantine-lifecycle.md): run it
      // again on request; a PROMOTING one is rolled forward by any next run.
      const [again] = await ingest(lake, file, {}, '--force');

      expect(['PUBLISHED', 'SKIPPED']).toContain(again?.status);
      expect(await restingProblems(lake)).toEqual([]);
      expect(await publishedState(lake, dirs.work)).toEqual(expected);
    },
  );
});
