import { InvalidInputError, type RunMode } from '@ledgerlake/domain';
import { type EnrichmentResult, WorkPartSchema } from '@ledgerlake/contract';
import { readEnrichedPart, workPartRef, type WorkRow, readMapItems } from '@ledgerlake/work-area';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import { enrichFile } from './enrich-file';

const layout = createLakeLayout(localBuckets());
const KEY = 'mortgages/transactions/ingest_date=2024-01-06/retry-20240106T100000Z-abcdef.csv';
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,attempt_count,retry_of_row_hash';

async function enrich(content: string, mode: RunMode): Promise<{ result: EnrichmentResult; rows: WorkRow[] }> {
  const store = new MemoryObjectStore();
  await store.put({ bucket: 'bronze', key: KEY }, content);
  const result = await enrichFile(
    {
      run: {
        run_id: '20240106T100000Z-abcdef',
        execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240106T100000Z-abcdef',
        execution_name: '20240106T100000Z-abcdef',
        started_at: '2024-01-06T10:00:00Z',
        dataset: 'mortgages/transactions',
        mode,
        source: { bucket: 'bronze', key: KEY },
      },
    },
    { store, layout },
  );
  const rows: WorkRow[] = [];
  for (const { part } of await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')) {
    rows.push(...(await readEnrichedPart(store, workPartRef(result.work, 'enriched', part))).workRows());
  }
  return { result, rows };
}

describe('attempt_count of a retry file', () => {
  it('gives each row the attempt its retry file names, in mode retry', async () => {
    const { rows } = await enrich(`${HEADER}\n1,ACC001,10.00,EUR,2024-01-05T09:00:00Z,1,h1\n2,ACC001,1.00,EUR,2024-01-05T09:00:00Z,3,h2\n`, 'retry');

    expect(rows.map((row) => [row.fields.id, row.attemptCount])).toEqual([
      ['1', 1],
      ['2', 3],
    ]);
  });

  it('is an extra column like any other in mode ingest: ignored, reported, every row attempt 0', async () => {
    const { result, rows } = await enrich(`${HEADER}\n1,ACC001,10.00,EUR,2024-01-05T09:00:00Z,2,h1\n`, 'ingest');

    expect(rows.map((row) => row.attemptCount)).toEqual([0]);
    expect(result.extra_columns).toEqual(['attempt_count', 'retry_of_row_hash']);
  });

  it('refuses a retry file without the column', async () => {
    const run = enrich('TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n1,ACC001,10.00,EUR,2024-01-05T09:00:00Z\n', 'retry');

    await expect(run).rejects.toBeInstanceOf(InvalidInputError);
    await expect(run).rejects.toThrow(/is the input of a retry run but has no attempt_count column/);
  });

  it.each(['', '-1', 'x', '1.5', '256'])('refuses a retry file whose attempt_count reads %j', async (value) => {
    const run = enrich(`${HEADER}\n1,ACC001,10.00,EUR,2024-01-05T09:00:00Z,${value},h1\n`, 'retry');

    await expect(run).rejects.toThrow(`has attempt_count ${JSON.stringify(value)}; expected an integer 0..255`);
  });
});
