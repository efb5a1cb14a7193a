import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, useTempLake } from '../support/cli-harness';

/* A file that fails on its own is explained in the user's terms: their file's name, the likely cause, what to do. */

const dirs = useTempLake('ledgerlake-file-hints-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const ROW = '1,ACC1,1.00,EUR,2024-01-05T09:00:00Z';

async function ingest(name: string, bytes: string | Buffer): Promise<{ text: string; outcome: Record<string, unknown> }> {
  await writeFile(join(dirs.work, name), bytes);
  const text = await runCli(['ingest', name, '--no-alerts', '--lake', dirs.lake], dirs.work);
  const json = await runCli(['ingest', name, '--no-alerts', '--force', '--json', '--lake', join(dirs.work, 'json-lake')], dirs.work);
  return { text: text.stdout, outcome: (JSON.parse(json.stdout) as Record<string, unknown>[])[0] as Record<string, unknown> };
}

describe('file-level errors', () => {
  it('a file that is not UTF-8: names the byte and the conversion to run, and the file as the user typed it', async () => {
    const { text, outcome } = await ingest('latin1.csv', Buffer.concat([Buffer.from(`${HEADER}\n1,ACC`), Buffer.of(0xe9), Buffer.from(',1.00,EUR,2024-01-05T09:00:00Z\n')]));

    expect(text).toContain('  InvalidInputError in PlanChunks: latin1.csv is not valid UTF-8 (invalid byte sequence at byte 78) (line 2)\n');
    expect(text).toContain(
      "  hint: byte 0xE9 at offset 78 is a Latin-1 / Windows-1252 character: convert the file to UTF-8 and ingest that, e.g. iconv -f WINDOWS-1252 -t UTF-8 'latin1.csv' > 'latin1-utf8.csv'.\n",
    );
    expect(text).not.toContain('s3://');
    expect(outcome).toMatchObject({ status: 'FAILED', error: { message: expect.stringMatching(/^latin1\.csv is not valid UTF-8/) }, hint: expect.stringContaining('iconv') });
  });

  it.each([
    ['semicolons', ';'],
    ['tabs', '\t'],
  ])('a file separated by %s: says so', async (called, separator) => {
    const { text } = await ingest('sep.csv', `${HEADER.replaceAll(',', separator)}\n${ROW.replaceAll(',', separator)}\n`);

    expect(text).toContain(`  hint: sep.csv looks separated by ${called}, not commas: export it as comma-separated CSV (and amounts with a decimal point: 12.50, not 12,50).\n`);
  });

  it('header names that differ only in case or spacing: names each rename', async () => {
    const { text } = await ingest('case.csv', `${HEADER.replace('TransactionID', 'transactionid').replace('CustomerID', 'Customer ID')}\n${ROW}\n`);

    expect(text).toContain('  hint: The header names differ from the required ones only in case or spacing: rename "transactionid" → "TransactionID", "Customer ID" → "CustomerID".\n');
  });

  it('extra columns are named in the summary and the JSON; a file with a header and no rows says nothing was published', async () => {
    const extra = await ingest('extra.csv', `${HEADER},Note,Branch\n${ROW},hi,north\n`);
    const empty = await ingest('empty-rows.csv', `${HEADER}\n`);

    expect(extra.text).toContain('  ignored 2 columns not in the dataset: Note, Branch\n');
    expect(extra.outcome).toMatchObject({ status: 'PUBLISHED', ignored_columns: ['Note', 'Branch'] });
    expect(empty.text).toMatch(/^EMPTY {5}empty-rows\.csv {2}\(run \S+, [\d.]+ s\)\n {2}the file has a header and no rows: nothing was published\n/);
    expect(empty.outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: 0 } });
  });
});
