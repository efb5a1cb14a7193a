import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { describeVersions, placeRun, readPartitionVersions } from './partition-history';

const layout = createLakeLayout(localBuckets());
const JAN = { year: 2024, month: 1 };
const A = '20240101T000000Z-aaaaaa';
const B = '20240102T000000Z-bbbbbb';
const OP = '20240103T000000Z-pcccc1';

/** A version as the lake wrote it before versions recorded who asked (no `requested`, no `restored_run_id`). */
function oldVersion(version: number, action: string, runId: string, runs: string[], extra: Record<string, unknown> = {}) {
  const files = runs.map((run) => `mortgages/transactions/year=2024/month=01/schema_v=v1/current/${run}-part-00000.parquet`);
  return {
    table: 'silver.transactions',
    partition: '2024-01',
    version,
    action,
    run_id: runId,
    execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`,
    promoted_at: `2024-01-0${version}T00:00:00.000Z`,
    runs: runs.map((run, i) => ({ run_id: run, execution_arn: `local:${run}`, promoted_at: '2024-01-01T00:00:00.000Z', rows: 1, files: [files[i]] })),
    files,
    counts: { rows: runs.length, files: runs.length },
    manifest: { bucket: 'silver', key: `mortgages/transactions/year=2024/month=01/schema_v=v1/_manifests/v=00000000${version}/run_id=${runId}/manifest` },
    ...extra,
  };
}

async function store(versions: ReturnType<typeof oldVersion>[]): Promise<MemoryObjectStore> {
  const memory = new MemoryObjectStore();
  for (const version of versions) await memory.put(layout.silver.version(JAN, version.version), JSON.stringify(version));
  const last = versions.at(-1);
  if (last !== undefined) await memory.put(layout.silver.latest(JAN), JSON.stringify(last));
  return memory;
}

describe('a partition history', () => {
  it('reads versions written before who-asked was recorded, newest first, naming the run a rollback restored', async () => {
    const memory = await store([
      oldVersion(1, 'append', A, [A]),
      oldVersion(2, 'append', B, [A, B]),
      oldVersion(3, 'rollback', OP, [A], { restored_version: 1 }),
    ]);

    const history = describeVersions(await readPartitionVersions(memory, layout.silver, JAN));

    expect(history.map((entry) => [entry.version, entry.kind, entry.run_id, entry.committed_by, entry.by, entry.reason, entry.runs])).toEqual([
      [3, 'rollback', A, OP, null, null, [A]],
      [2, 'promotion', B, B, null, null, [A, B]],
      [1, 'promotion', A, A, null, null, [A]],
    ]);
    expect(history[0]).toMatchObject({ restored_version: 1, at: '2024-01-03T00:00:00.000Z', rows: 1 });
  });

  it('gives who asked and why, and a backfill its kind', async () => {
    const memory = await store([
      oldVersion(1, 'replace', A, [A]),
      oldVersion(2, 'rollback', OP, [A], { restored_version: 1, restored_run_id: A, requested: { by: 'alice', reason: 'bad file' } }),
    ]);

    const [rollback, backfill] = describeVersions(await readPartitionVersions(memory, layout.silver, JAN));

    expect(rollback).toMatchObject({ kind: 'rollback', run_id: A, by: 'alice', reason: 'bad file' });
    expect(backfill).toMatchObject({ kind: 'backfill', run_id: A, by: null });
  });

  it('is empty for a month never published', async () => {
    expect(await readPartitionVersions(new MemoryObjectStore(), layout.silver, JAN)).toEqual([]);
  });
});

describe('where a run stands in a partition', () => {
  const history = describeVersions([
    oldVersion(4, 'append', B, [A, B]),
    oldVersion(3, 'rollback', OP, [A], { restored_version: 1 }),
    oldVersion(2, 'append', B, [A, B]),
    oldVersion(1, 'append', A, [A]),
  ] as never);

  it('is in the current version when the newest version holds it', () => {
    expect(placeRun(history, A)).toEqual({ current_version: 4, in_current_version: true });
  });

  it('names the version that removed it after the last version that held it', () => {
    const removed = describeVersions([oldVersion(3, 'rollback', OP, [A], { restored_version: 1 }), oldVersion(2, 'append', B, [A, B])] as never);

    expect(placeRun(removed, B)).toEqual({ current_version: 3, in_current_version: false, removed_by: removed[0] });
  });

  it('is nowhere for a run the partition never published', () => {
    expect(placeRun(history, '20240109T000000Z-zzzzzz')).toEqual({ current_version: 4, in_current_version: false });
    expect(placeRun([], A)).toEqual({ current_version: null, in_current_version: false });
  });
});
