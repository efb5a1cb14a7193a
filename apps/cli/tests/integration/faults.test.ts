import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '@ledgerlake/domain';
import { FaultInjectingStore } from '@ledgerlake/testing';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import type { LocalWiring } from '../../src/local-lake';
import { Q1_SAMPLE, runCli, useTempLake } from '../support/cli-harness';

const dirs = useTempLake('ledgerlake-faults-');

/**
 * A store whose writes fail as the filesystem store reports a full disk (`ENOSPC`) or a read-only
 * mount (`EROFS`), for the objects `refuses` picks; reads and deletes work.
 */
function failingWrites(store: ObjectStore, code: 'ENOSPC' | 'EROFS', refuses: (ref: ObjectRef) => boolean): ObjectStore {
  const detail = code === 'ENOSPC' ? 'no space left on device' : 'permission denied (EROFS): EROFS: read-only file system';
  return new FaultInjectingStore(store, ({ op, bucket, key, mutation }) =>
    mutation > 0 && op !== 'delete' && refuses({ bucket, key })
      ? new StorageError(`fs-store: ${op} ${bucket}/${key} failed (${code}): ${code}: ${detail}, write`)
      : undefined,
  );
}

/** Every writer of the run (each function, the alert consumer, the command) writes through `wrap`. */
const everywhere = (wrap: (store: ObjectStore) => ObjectStore): LocalWiring => ({ storeFor: (_who, store) => wrap(store), retryIntervalMs: 0 });

/** The disk fills up once the file has landed: every later write fails with ENOSPC. */
const fullAfterLanding = everywhere((store) => failingWrites(store, 'ENOSPC', (ref) => ref.bucket !== 'bronze'));

interface Outcome {
  file: string;
  run_id: string | null;
  status: string;
  source: ObjectRef | null;
  error?: { name: string; message: string; state: string | null };
  faults?: { what: string; message: string }[];
}

const STACK_LINE = /^\s+at /m;

describe('ingest when the disk fills up after the file landed', () => {
  it('--json still prints one FAILED object naming the storage problem and what could not be recorded, exit 1', async () => {
    const result = await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], dirs.work, { wiring: fullAfterLanding });

    expect(result.code).toBe(1);
    const outcomes = JSON.parse(result.stdout) as Outcome[];
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes;
    expect(outcome).toMatchObject({ file: Q1_SAMPLE, status: 'FAILED', error: { name: 'StorageError', state: 'PlanChunks' } });
    expect(outcome?.error?.message).toContain('ENOSPC');
    const runId = String(outcome?.run_id);
    const file = Q1_SAMPLE.replace(/[.]/g, '\\.');
    expect(outcome?.faults).toEqual([
      {
        what: 'failure-record',
        message: expect.stringMatching(new RegExp(`^The failure of run ${runId} \\(${file}\\) could not be recorded: run-recorder failed with StorageError: fs-store: .*ENOSPC`)),
      },
      {
        what: 'log',
        message: expect.stringMatching(new RegExp(`^The log of run ${runId} \\(${file}\\) could not be written to artifacts/runs/${runId}/logs\\.jsonl: StorageError: .*ENOSPC`)),
      },
    ]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(dirs.lake, 'artifacts/runs', runId, 'logs.jsonl'))).toBe(false);
  });

  it('without --json prints the summary, and on stderr one sentence per thing not recorded, naming the file; no stack trace', async () => {
    const result = await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work, { wiring: fullAfterLanding });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED +\S+transactions-2024-q1\.csv {2}\(run \S+, /);
    // Planning's first write, the chunk manifest, meets the full disk.
    expect(result.stdout).toMatch(/StorageError in PlanChunks: fs-store: put\w* .*plan\/chunks\.json.*ENOSPC/);
    expect(result.stdout).not.toContain('logs: ledgerlake logs');
    const runId = /\(run (\S+),/.exec(result.stdout)?.[1] ?? '';
    const file = Q1_SAMPLE.replace(/[.]/g, '\\.');
    const sentences = result.stderr.split('\n').filter((line) => line.startsWith('ledgerlake: The '));
    expect(sentences).toEqual([
      expect.stringMatching(new RegExp(`^ledgerlake: The failure of run ${runId} \\(${file}\\) could not be recorded: .*ENOSPC.*\\.$`)),
      expect.stringMatching(new RegExp(`^ledgerlake: The log of run ${runId} \\(${file}\\) could not be written to \\S+: StorageError: .*ENOSPC.*\\.$`)),
    ]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stderr).not.toContain('--verbose');
  });

  it('a published run whose log cannot be written stays PUBLISHED, says so, and exits 1', async () => {
    const logsOnly = { storeFor: (_who: string, store: ObjectStore) => failingWrites(store, 'ENOSPC', (ref) => ref.key.endsWith('/logs.jsonl')) };

    const result = await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], dirs.work, { wiring: logsOnly });

    expect(result.code).toBe(1);
    const [outcome] = JSON.parse(result.stdout) as Outcome[];
    expect(outcome?.status).toBe('PUBLISHED');
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.faults).toEqual([{ what: 'log', message: expect.stringMatching(/^The log of run \S+ \(.+\) could not be written to .*ENOSPC/) }]);
  });
});

describe('ingest when the file cannot land in Bronze', () => {
  const fullDisk = everywhere((store) => failingWrites(store, 'ENOSPC', () => true));

  it('--json prints one FAILED object per file with no run, the error and no state; exit 1', async () => {
    const other = join(dirs.work, 'other.csv');
    await writeFile(other, 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n9,ACC009,5.00,GBP,2024-04-02T09:00:00Z\n');

    const result = await runCli(['ingest', Q1_SAMPLE, other, '--json', '--lake', dirs.lake], dirs.work, { wiring: fullDisk });

    expect(result.code).toBe(1);
    const outcomes = JSON.parse(result.stdout) as Outcome[];
    expect(outcomes).toMatchObject([
      { file: Q1_SAMPLE, run_id: null, status: 'FAILED', source: null, error: { name: 'StorageError', state: null } },
      { file: other, run_id: null, status: 'FAILED', source: null, error: { name: 'StorageError', state: null } },
    ]);
    expect(outcomes[0]?.error?.message).toMatch(/^Cannot land .*transactions-2024-q1\.csv in Bronze: fs-store: putIfAbsent bronze\/.* failed \(ENOSPC\)/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('without --json says it in one sentence on stderr naming the file and the storage problem; no stack trace', async () => {
    const result = await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work, { wiring: fullDisk });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^ledgerlake: Cannot land ${Q1_SAMPLE} in Bronze: fs-store: putIfAbsent bronze/\\S+ failed \\(ENOSPC\\): [^\\n]*\\.\\n$`),
    );
    expect(result.stdout).toMatch(/^FAILED +\S+transactions-2024-q1\.csv {2}\(not landed in Bronze, /);
  });

  it('a read-only lake is the same: one FAILED object, exit 1', async () => {
    const readOnly = everywhere((store) => failingWrites(store, 'EROFS', () => true));

    const result = await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], dirs.work, { wiring: readOnly });

    expect(result.code).toBe(1);
    const [outcome] = JSON.parse(result.stdout) as Outcome[];
    expect(outcome).toMatchObject({ status: 'FAILED', run_id: null, error: { name: 'StorageError', state: null } });
    expect(outcome?.error?.message).toContain('read-only file system');
  });
});

describe('--json errors before any file is ingested', () => {
  it('a lake path that is a file: one JSON object with the error on stdout, the sentence on stderr, exit 1', async () => {
    const notADir = join(dirs.work, 'file');
    await writeFile(notADir, 'x');

    const result = await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', notADir], dirs.work);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'failed', message: `The lake folder ${notADir} exists but is not a directory.`, exit_code: 1 } });
    expect(result.stderr).toBe(`ledgerlake: The lake folder ${notADir} exists but is not a directory.\n`);
  });

  it('a missing input file: one JSON object with the error, nothing ingested', async () => {
    const result = await runCli(['ingest', 'nope.csv', '--json', '--lake', dirs.lake], dirs.work);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'failed', message: 'Cannot read nope.csv: no such file; nothing was ingested.', exit_code: 1 } });
  });
});
