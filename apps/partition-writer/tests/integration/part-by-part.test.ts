import type { rowFields } from '@ledgerlake/domain';

type RowHashFields = Parameters<typeof rowFields>[0];
import { type RowDecision, type WorkRow } from '@ledgerlake/work-area';
import { createLakeLayout, listAll, localBuckets, MemoryObjectStore, type ObjectRef } from '@ledgerlake/storage';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { DEFAULT_PARTITION_WRITER_SETTINGS, type PartitionWriterDeps } from '../../src';
import { writeRun } from '../support/part-events';
import { RUN, seedValidatedRun, workRow } from '../support/run-fixture';

const layout = createLakeLayout(localBuckets());

/** Three parts of a run spread over four months, with quarantined and condemned rows in each. */
function runRows(): { parts: WorkRow[][]; condemned: RowDecision[][] } {
  let line = 2;
  const parts = [0, 1, 2].map((part) =>
    Array.from({ length: 30 }, (_, i): WorkRow => {
      const n = part * 100 + i;
      const month = String((n % 4) + 1).padStart(2, '0');
      const fields: RowHashFields = [
        String(n),
        `ACC${n % 5}`,
        i % 9 === 4 ? '1,00' : `${n % 2 === 0 ? '-' : ''}${n}.${String(n % 100).padStart(2, '0')}`,
        i % 11 === 6 ? 'XXX' : 'EUR',
        `2024-${month}-15T12:00:00Z`,
      ];
      return workRow(fields, { line: line++ });
    }),
  );
  const condemned = parts.map((_, part) => [{ index: 7 + part, code: 'DUPLICATE_FAILURE' as const, detail: 'repeat' }]);
  return { parts, condemned };
}

function deps(store: MemoryObjectStore): PartitionWriterDeps {
  // Small files: a part's month needs several objects, so their numbering is exercised too.
  const parquet = { rowGroupRows: 2, maxBufferedRows: 4, maxOpenFiles: 2, maxRowsPerFile: 4 };
  return { store, layout, settings: { ...DEFAULT_PARTITION_WRITER_SETTINGS, parquet }, now: () => new Date('2024-05-01T00:10:00Z') };
}

describe('a run written part by part, in any order, equals the run written in order', () => {
  let scratch: ParquetScratch;
  beforeAll(async () => {
    scratch = await openParquetScratch();
  });
  afterAll(async () => {
    await scratch.close();
  });

  it('has the same Silver, Quarantine and Condemned rows, _SUCCESS markers and manifest', async () => {
    const { parts, condemned } = runRows();
    const inOrder = new MemoryObjectStore();
    const inOrderResult = await writeRun(await seedValidatedRun(inOrder, layout, { parts, condemned }), deps(inOrder));

    const byPart = new MemoryObjectStore();
    const partResult = await writeRun(await seedValidatedRun(byPart, layout, { parts, condemned }), deps(byPart), [2, 0, 1]);

    expect(partResult).toEqual(inOrderResult);
    expect(inOrderResult.critical_errors).toEqual([]);
    expect(inOrderResult.months.some((p) => p.files.length > 3)).toBe(true);

    const rows = async (name: string, store: MemoryObjectStore, refs: readonly ObjectRef[]) => {
      const paths = await Promise.all(
        refs.map(async (ref, i) => scratch.save(`${name}/${i}.parquet`, (await store.getBytes(ref)) as Uint8Array)),
      );
      return scratch.query(
        `SELECT * EXCLUDE (ingestion_timestamp), ingestion_timestamp::VARCHAR AS ingested
         FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}], hive_partitioning = false) ORDER BY source_line`,
      );
    };
    const silverRefs = (result: typeof inOrderResult) => result.months.flatMap((p) => p.files.map((key) => ({ bucket: 'silver', key })));
    const silver = await rows('inOrder-silver', inOrder, silverRefs(inOrderResult));
    expect(silver).toHaveLength(inOrderResult.counts.valid_rows);
    expect(await rows('part-silver', byPart, silverRefs(partResult))).toEqual(silver);
    expect(await rows('part-quarantine', byPart, partResult.quarantine_files)).toEqual(
      await rows('inOrder-quarantine', inOrder, inOrderResult.quarantine_files),
    );
    expect(await rows('part-condemned', byPart, partResult.condemned_files)).toEqual(
      await rows('inOrder-condemned', inOrder, inOrderResult.condemned_files),
    );

    // Markers, manifest and quarantine index: the same objects with the same content.
    const sealed = async (store: MemoryObjectStore) => {
      const found: Record<string, string> = {};
      for (const [bucket, prefix] of [
        ['silver', ''],
        ['artifacts', `runs/${RUN.run_id}/manifest.json`],
        ['artifacts', 'index/'],
      ] as const) {
        for await (const meta of listAll(store, bucket, prefix)) {
          if (meta.key.endsWith('.parquet')) continue;
          found[`${bucket}/${meta.key}`] = Buffer.from((await store.getBytes({ bucket, key: meta.key })) ?? []).toString();
        }
      }
      return found;
    };
    const inOrderSealed = await sealed(inOrder);
    expect(Object.keys(inOrderSealed).filter((key) => key.endsWith('/_SUCCESS'))).toHaveLength(4);
    expect(await sealed(byPart)).toEqual(inOrderSealed);
  }, 60_000);
});
