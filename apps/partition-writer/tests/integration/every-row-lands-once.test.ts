import { formatMinor, type rowFields } from '@ledgerlake/domain';

type RowHashFields = Parameters<typeof rowFields>[0];
import type { RowDecision, WorkRow } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import fc from 'fast-check';
import { DEFAULT_PARTITION_WRITER_SETTINGS } from '../../src';
import { openParquetScratch, type ParquetScratch } from '@ledgerlake/testing';
import { writeRun } from '../support/part-events';
import { seedValidatedRun, workRow } from '../support/run-fixture';

const layout = createLakeLayout(localBuckets());

/** One generated input row: what it is made of, and whether loop prevention condemns it. */
interface RowSpec {
  readonly fields: RowHashFields;
  readonly schemaProblem: boolean;
  readonly condemn: 'DUPLICATE_FAILURE' | 'MAX_ATTEMPTS' | null;
}

const amount = fc.oneof(
  fc.bigInt({ min: -9_999_999_999_999_999n, max: 9_999_999_999_999_999n }).map(formatMinor),
  fc.constantFrom('1,00', '1.234', 'abc', '', '9'.repeat(15)),
);
const timestamp = fc.oneof(
  fc
    .record({
      year: fc.integer({ min: 1999, max: 2030 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      zone: fc.constantFrom('Z', '+01:00', '-05:30', '', '+14:00'),
    })
    .map(({ year, month, day, hour, zone }) => {
      const p = (n: number) => String(n).padStart(2, '0');
      return `${year}-${p(month)}-${p(day)}T${p(hour)}:00:00${zone}`;
    }),
  fc.constantFrom('2024-13-01T00:00:00Z', 'yesterday', '2024-01-05'),
);
const rowSpec: fc.Arbitrary<RowSpec> = fc.record({
  fields: fc.tuple(
    fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.constantFrom('x1', '')),
    fc.constantFrom('ACC001', 'ACC002', 'ACÇ-ü', ''),
    amount,
    fc.constantFrom('EUR', 'USD', 'eur', 'XXX'),
    timestamp,
  ),
  schemaProblem: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  condemn: fc.constantFrom(null, null, null, 'DUPLICATE_FAILURE' as const, 'MAX_ATTEMPTS' as const),
});

describe('every row lands in exactly one of Silver, Quarantine and Condemned', () => {
  let scratch: ParquetScratch;
  beforeAll(async () => {
    scratch = await openParquetScratch();
  });
  afterAll(async () => {
    await scratch.close();
  });

  it('holds for generated work parts, and the amounts reconcile', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(rowSpec, { maxLength: 40 }), { minLength: 1, maxLength: 3 }), async (parts) => {
        run += 1;
        let line = 2;
        const rows: WorkRow[][] = parts.map((specs) =>
          specs.map((spec) =>
            workRow(spec.fields, { line: line++, ...(spec.schemaProblem && { schemaProblem: 'record has 6 fields; the header has 5' }) }),
          ),
        );
        const condemned: RowDecision[][] = parts.map((specs) =>
          specs.flatMap((spec, index) => (spec.condemn ? [{ index, code: spec.condemn, detail: 'generated' }] : [])),
        );
        const store = new MemoryObjectStore();
        const state = await seedValidatedRun(store, layout, { parts: rows, condemned });
        const settings = { ...DEFAULT_PARTITION_WRITER_SETTINGS, parquet: { rowGroupRows: 8, maxBufferedRows: 16, maxOpenFiles: 2, maxRowsPerFile: 16 } };

        const result = await writeRun(state, { store, layout, settings });

        expect(result.critical_errors).toEqual([]);
        const silver = result.months.flatMap((p) => p.files.map((key) => ({ bucket: 'silver', key })));
        const dir = `run${run}`;
        // Each table's copies under their own names: Quarantine and Condemned share a bucket, and a
        // path DuckDB has read and then finds rewritten may be served from its cache of the old bytes.
        const read = async (table: string, refs: readonly { bucket: string; key: string }[], columns: string) => {
          if (refs.length === 0) return [];
          const paths = await Promise.all(
            refs.map(async (ref, i) => scratch.save(`${dir}/${table}-${i}.parquet`, (await store.getBytes(ref)) as Uint8Array)),
          );
          return scratch.query(`SELECT ${columns} FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}], hive_partitioning = false)`);
        };
        const landed = [
          ...(await read('silver', silver, 'source_line, amount::VARCHAR AS amount')),
          ...(await read('quarantine', result.quarantine_files, 'source_line, NULL AS amount')),
          ...(await read('condemned', result.condemned_files, 'source_line, NULL AS amount')),
        ];
        const expectedLines = rows.flat().map((row) => row.sourceLine);
        expect(landed.map((row) => Number(row['source_line'])).sort((a, b) => a - b)).toEqual(expectedLines);
        const silverMinor = landed
          .filter((row) => row['amount'] !== null)
          .reduce((sum, row) => sum + BigInt(String(row['amount']).replace('.', '')), 0n);
        expect(silverMinor.toString()).toBe(result.amounts.valid_minor);
        const { input_minor, valid_minor, quarantined_minor, condemned_minor } = result.amounts;
        expect(BigInt(valid_minor) + BigInt(quarantined_minor) + BigInt(condemned_minor)).toBe(BigInt(input_minor));
        expect(result.counts.valid_rows + result.counts.quarantined_rows + result.counts.condemned_rows).toBe(
          expectedLines.length,
        );
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
