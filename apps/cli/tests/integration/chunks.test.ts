import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRate } from '@ledgerlake/domain';
import { DEFAULT_VALIDATION_SETTINGS } from '@ledgerlake/validation';
import { runCli, runLogLines, useTempLake } from '../support/cli-harness';

// One file cut into many chunks (and run on worker threads) must give exactly what one chunk gives.
const dirs = useTempLake('ledgerlake-chunks-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const PERMISSIVE_GATE = { promoteBelowQuarantineRate: parseRate('1'), promoteBelowCondemnedRows: 1_000_000 };
// A quarter of the rows are bad account ids (TYPE_ERROR): far more than the breaker lets pass.
const PERMISSIVE_BREAKER = { ...DEFAULT_VALIDATION_SETTINGS, breaker: { windowMinutes: 60, tripAboveFailedRows: 1_000_000, tripAboveFailedRate: parseRate('1') } };

/**
 * 600 rows: quoted newlines and commas in account ids (quarantined TYPE_ERROR, wherever the chunks
 * are cut), bad currencies, unparseable amounts, in-file duplicates far apart.
 */
function fileWithQuotedNewlines(): string {
  const lines = [HEADER];
  for (let i = 1; i <= 600; i++) {
    const account = i % 4 === 0 ? `"ACC\n${i % 17}, ""x"""` : `ACC${i % 23}`;
    const currency = i % 37 === 0 ? 'XXX' : 'EUR';
    const amount = i % 53 === 0 ? '12.345' : `${(i * 7) % 1000}.${String(i % 100).padStart(2, '0')}`;
    const id = i % 97 === 0 ? 5 : i; // the same key as row 5, same day: condemned, wherever it lands
    lines.push(`${id},${account},${amount},${currency},2024-0${1 + (i % 3)}-05T09:00:00Z`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function ingest(lake: string, file: string, wiring: object): Promise<Record<string, unknown>> {
  const result = await runCli(['ingest', file, '--json', '--lake', lake], dirs.work, {
    wiring: { thresholds: PERMISSIVE_GATE, validation: PERMISSIVE_BREAKER, ...wiring },
  });
  expect(result.stderr).not.toMatch(/Error/);
  return (JSON.parse(result.stdout) as Record<string, unknown>[])[0] as Record<string, unknown>;
}

async function rows(lake: string, sql: string): Promise<unknown[]> {
  const result = await runCli(['query', sql, '--json', '--lake', lake], dirs.work);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as unknown[];
}

const SILVER = 'SELECT id, account_id, amount, currency, tx_date, row_hash, source_line, attempt_count FROM silver.transactions ORDER BY source_line';
const REJECTED = (table: string) =>
  `SELECT transaction_id, customer_id, transaction_amount, currency, transaction_timestamp, validation_error, error_detail, row_hash, source_line FROM ${table} ORDER BY source_line`;

describe('a file processed in chunks', () => {
  it('gives the same Silver, Quarantine and Condemned rows with one chunk and with many on two workers', async () => {
    const file = join(dirs.work, 'quoted.csv');
    await writeFile(file, fileWithQuotedNewlines());
    const one = join(dirs.work, 'one');
    const many = join(dirs.work, 'many');

    const whole = await ingest(one, file, { workers: 0 });
    const chunked = await ingest(many, file, { workers: 2, enrichment: { chunkBytes: 1500, rowsPerPart: 40 } });

    expect(chunked['counts']).toEqual(whole['counts']);
    expect(whole['counts']).toMatchObject({ input_rows: 600 });
    expect((whole['counts'] as { condemned_rows: number }).condemned_rows).toBeGreaterThan(0);
    expect(await rows(many, SILVER)).toEqual(await rows(one, SILVER));
    expect(await rows(many, REJECTED('quarantine.rows'))).toEqual(await rows(one, REJECTED('quarantine.rows')));
    expect(await rows(many, REJECTED('quarantine.condemned'))).toEqual(await rows(one, REJECTED('quarantine.condemned')));
    const planned = async (lake: string, runId: unknown) =>
      (await runLogLines(lake, String(runId))).find((line) => line['message'] === 'bronze file planned')?.['chunks'];
    expect(await planned(one, whole['run_id'])).toBe(1);
    expect(await planned(many, chunked['run_id'])).toBeGreaterThan(10);
  }, 120_000);

  it('stops the Map worker threads once the run is past its last Map state: none is left during Promote', async () => {
    const file = join(dirs.work, 'chunked.csv');
    await writeFile(file, fileWithQuotedNewlines());
    // Threads of this process (Linux), sampled while the run goes on: the most before its promotion
    // intent appears (the Maps ran on two worker threads) and the fewest while it exists (Promote
    // to the end of RefreshGold). A hook into a function's store would run the Maps in this thread.
    const intents = join(dirs.lake, 'artifacts', 'control', 'promotions');
    let beforePromote = 0;
    let duringPromote = Number.POSITIVE_INFINITY;
    const sample = setInterval(() => {
      const threads = readdirSync('/proc/self/task').length;
      const promoting = existsSync(intents) && readdirSync(intents).length > 0;
      if (promoting) duringPromote = Math.min(duringPromote, threads);
      else if (duringPromote === Number.POSITIVE_INFINITY) beforePromote = Math.max(beforePromote, threads);
    }, 5);
    let outcome;
    try {
      outcome = await ingest(dirs.lake, file, { workers: 2, enrichment: { chunkBytes: 1500, rowsPerPart: 40 } });
    } finally {
      clearInterval(sample);
    }

    expect(outcome['status']).toBe('PUBLISHED');
    expect(duringPromote).toBeLessThanOrEqual(beforePromote - 2);
  });
});

