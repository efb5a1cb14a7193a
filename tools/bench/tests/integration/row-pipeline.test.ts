import { DuckDBInstance } from '@duckdb/node-api';
import { localDefinition, openLake, runBronzeObject } from '@ledgerlake/cli';
import { inputColumns, parseAmount, parseRate, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The deployed definition end to end on generated files (the state machine through the local
 * runner, each Task bound to its function's handler, as `ledgerlake ingest` runs it): every input
 * row lands in exactly one of Silver, Quarantine and Condemned, and the amounts reconcile.
 */

/** A CSV record as the generator wrote it, and where it starts in the file. */
interface Written {
  readonly line: number;
  readonly fields: readonly string[];
}

const goodId = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
const goodAmount = fc
  .bigInt({ min: -9_999_999_999_999_999n, max: 9_999_999_999_999_999n })
  .map((minor) => `${minor < 0n ? '-' : ''}${(minor < 0n ? -minor : minor) / 100n}.${String((minor < 0n ? -minor : minor) % 100n).padStart(2, '0')}`);
const goodTimestamp = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2025-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) =>
    fc.constantFrom(
      d.toISOString().slice(0, 19) + 'Z',
      d.toISOString().slice(0, 19).replace('T', ' '),
      d.toISOString().slice(0, 19) + '+02:00',
      d.toISOString().slice(0, 19) + '-05:30',
    ),
  );
const anyText = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', ' ', '\n', '.', '-', 'é'), maxLength: 8 });

/** One record: mostly valid, with every kind of problem mixed in (and room for duplicates). */
const record = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: goodId }, { weight: 1, arbitrary: anyText }, { weight: 1, arbitrary: fc.constantFrom('1', '2', '3') }),
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom('ACC001', 'ACC002', ' ACC003 ') }, { weight: 1, arbitrary: anyText }),
  fc.oneof({ weight: 6, arbitrary: goodAmount }, { weight: 1, arbitrary: fc.constantFrom('1.234', '99999999999999.99', '1e3', '') }, { weight: 1, arbitrary: anyText }),
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom('EUR', 'USD', 'GBP') }, { weight: 1, arbitrary: fc.constantFrom('eur', 'XXX', '') }),
  fc.oneof({ weight: 6, arbitrary: goodTimestamp }, { weight: 1, arbitrary: fc.constantFrom('2024-02-30 10:00:00', '2024-01-05', '') }),
  fc.nat({ max: 19 }),
);

const quote = (f: string): string => (/[",\n\r]/.test(f) || f !== f.trim() ? `"${f.replaceAll('"', '""')}"` : f);

/** Serialises records to CSV, with blank lines, CRLF and wrong field counts sprinkled in. */
function toCsv(records: (readonly [string, string, string, string, string, number])[]): { csv: string; written: Written[] } {
  let csv = `${inputColumns(TRANSACTIONS_DATASET).join(',')}\n`;
  let line = 2;
  const written: Written[] = [];
  for (const [id, account, amount, currency, ts, shape] of records) {
    let fields: string[] = [id, account, amount, currency, ts];
    if (shape === 0) fields = fields.slice(0, 4);
    if (shape === 1) fields = [...fields, 'extra'];
    if (shape === 2) {
      csv += '\n';
      line += 1;
    }
    const text = fields.map(quote).join(',');
    written.push({ line, fields });
    csv += text + (shape === 3 ? '\r\n' : '\n');
    line += 1 + (text.match(/\n/g)?.length ?? 0);
  }
  return { csv, written };
}

async function readBack(lake: string): Promise<{ lines: number[]; silverMinor: bigint; rejectedAmounts: string[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const glob = (dir: string): string => `'${join(lake, dir).replaceAll("'", "''")}/**/*.parquet'`;
  // The run's own Silver folders (published months hold copies of the same rows in current/).
  const runFolders = `'${join(lake, 'silver').replaceAll("'", "''")}/**/run_id=*/*.parquet'`;
  const lines: number[] = [];
  let silverMinor = 0n;
  const rejectedAmounts: string[] = [];
  try {
    const silver = await con.runAndReadAll(`SELECT source_line, (amount * 100)::BIGINT FROM read_parquet(${runFolders})`);
    for (const [line, minor] of silver.getRows() as [bigint, bigint][]) {
      lines.push(Number(line));
      silverMinor += minor;
    }
  } catch (err) {
    if (!String(err).includes('No files found')) throw err;
  }
  try {
    const rejected = await con.runAndReadAll(`SELECT source_line, transaction_amount FROM read_parquet(${glob('quarantine')})`);
    for (const [line, amount] of rejected.getRows() as [bigint, string | null][]) {
      lines.push(Number(line));
      if (amount !== null) rejectedAmounts.push(amount);
    }
  } catch (err) {
    if (!String(err).includes('No files found')) throw err;
  }
  con.closeSync();
  db.closeSync();
  return { lines, silverMinor, rejectedAmounts };
}

const sumParseable = (amounts: readonly (string | undefined)[]): bigint =>
  amounts.reduce<bigint>((sum, a) => {
    const parsed = a === undefined ? undefined : parseAmount(a.trim());
    return parsed?.ok ? sum + parsed.minor : sum;
  }, 0n);

/** The gate is opened: generated files have any share of bad rows (only a file with no valid row is blocked). */
const OPEN_GATE = { thresholds: { promoteBelowQuarantineRate: parseRate('1'), promoteBelowCondemnedRows: Number.MAX_SAFE_INTEGER }, workers: 0 };

describe('the state machine, end to end on generated files', () => {
  it('puts every input row in exactly one of Silver, Quarantine and Condemned, and the amounts reconcile', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 40 }), async (records) => {
        const dir = mkdtempSync(join(tmpdir(), 'll-e2e-'));
        try {
          const lake = await openLake(dir);
          const { csv, written } = toCsv(records);
          const source = lake.layout.bronze.file('2024-06-01', 'generated.csv');
          await lake.store.put(source, csv);

          const run = await runBronzeObject(lake, source, 'generated.csv', {
            definition: localDefinition(),
            now: () => new Date('2024-06-01T12:00:00Z'),
            wiring: OPEN_GATE,
          });
          const back = await readBack(dir);

          const { counts } = run;
          // A file of bad rows only is blocked (its quarantine rate is 100 %): its rows land all the same.
          expect(['PUBLISHED', 'BLOCKED']).toContain(run.status);
          expect(counts.input_rows).toBe(written.length);
          expect(counts.valid_rows + counts.quarantined_rows + counts.condemned_rows).toBe(written.length);
          expect([...back.lines].sort((a, b) => a - b)).toEqual(written.map((w) => w.line));
          expect(back.silverMinor + sumParseable(back.rejectedAmounts)).toBe(sumParseable(written.map((w) => w.fields[2])));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 20 },
    );
  }, 300_000);
});
