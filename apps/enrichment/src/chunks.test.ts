import { gzipSync } from 'node:zlib';
import { readWorkRows, workPartRef, type EnrichmentResult, type RunState, type WorkRow } from '@ledgerlake/pipeline';
import { createLakeLayout, localBuckets, MemoryObjectStore } from '@ledgerlake/storage';
import fc from 'fast-check';
import { enrichFile, planChunks } from './enrich-file';
import { RecordBoundaryScanner } from './record-boundaries';

const layout = createLakeLayout(localBuckets());
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';

function state(key: string): RunState {
  return {
    run: {
      run_id: '20240105T090000Z',
      execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240105T090000Z',
      execution_name: '20240105T090000Z',
      started_at: '2024-01-05T09:00:00Z',
      dataset: 'mortgages/transactions',
      mode: 'ingest',
      source: { bucket: 'bronze', key },
    },
  };
}

/** Enriches `content` with the given chunk size and returns the plan's chunk count and every work row, in order. */
async function enrichWith(content: string | Buffer, chunkBytes: number, key = 'mortgages/transactions/ingest_date=2024-01-05/a.csv') {
  const store = new MemoryObjectStore();
  await store.put({ bucket: 'bronze', key }, content);
  const options = { chunkBytes, rowsPerPart: 7, maxRecordBytes: 200 };
  const plan = await planChunks(state(key), { store, layout, options });
  const result: EnrichmentResult = await enrichFile(state(key), { store, layout, options });
  const rows: WorkRow[] = [];
  for (const { part } of result.parts) {
    for await (const batch of readWorkRows(store, workPartRef(result.work, 'enriched', part))) rows.push(...batch);
  }
  return { chunks: plan.chunks.length, result, rows };
}

function boundaries(text: string, maxRecordBytes = 1000): number[] {
  const found: number[] = [];
  const scanner = new RecordBoundaryScanner(maxRecordBytes);
  // One byte at a time: state must carry across chunk edges.
  for (const byte of Buffer.from(text)) scanner.scan(Uint8Array.of(byte), (offset) => found.push(offset));
  return found;
}

describe('RecordBoundaryScanner', () => {
  it('cuts after each line feed outside quotes, never inside a quoted field', () => {
    expect(boundaries('a,b\n"x\ny",z\n"q""\n",w\nlast')).toEqual([4, 12, 21]);
  });

  it('treats a quote inside an unquoted field as a literal, as the parser does', () => {
    expect(boundaries('ab"c,d\ne,f\n')).toEqual([7, 11]);
  });

  it('ignores a byte order mark before the first field', () => {
    expect(boundaries('\uFEFF"a\nb",c\nd\n')).toEqual([11, 13]);
  });

  it('stops offering cuts where the parser would recover (bad closing quote, over-long quoted field)', () => {
    const scanner = new RecordBoundaryScanner(1000);
    const found: number[] = [];
    scanner.scan(Buffer.from('"a"x,b\nc\n'), (offset) => found.push(offset));
    expect(found).toEqual([]);
    expect(scanner.lost).toBe(true);
    expect(boundaries(`"${'x'.repeat(50)}\nmore\n`, 20)).toEqual([]);
  });

  it('counts lines across chunks', () => {
    const scanner = new RecordBoundaryScanner(1000);
    const lines: number[] = [];
    scanner.scan(Buffer.from('a\n"b\nc"\n'), (_offset, line) => lines.push(line));
    scanner.scan(Buffer.from('d\n'), (_offset, line) => lines.push(line));
    expect(lines).toEqual([2, 4, 5]);
  });
});

describe('chunked enrichment', () => {
  it('gives the same rows, lines and hashes with one chunk and with a chunk per few records (quoted newlines at the cuts)', async () => {
    const lines = [HEADER];
    for (let i = 1; i <= 40; i++) {
      lines.push(i % 3 === 0 ? `${i},"ACC\n${i}",1.00,EUR,2024-01-05T09:00:00Z` : `${i},ACC${i},${i}.50,EUR,2024-01-05T09:00:00Z`);
      if (i % 7 === 0) lines.push('');
    }
    const content = `\uFEFF${lines.join('\r\n')}\r\n`;

    const whole = await enrichWith(content, 1 << 20);
    const cut = await enrichWith(content, 60);

    expect(whole.chunks).toBe(1);
    expect(cut.chunks).toBeGreaterThan(20);
    expect(cut.rows).toEqual(whole.rows);
    expect(cut.result).toMatchObject({ input_rows: 40, input_amount: whole.result.input_amount, content_sha256: whole.result.content_sha256 });
    expect(new Set(cut.result.parts.map((p) => p.part)).size).toBe(cut.result.parts.length);
  });

  it('cuts a gzip file into plain chunk objects in the work area, with the same rows', async () => {
    const body = [HEADER, ...Array.from({ length: 30 }, (_, i) => `${i},"A\nB",1.00,EUR,2024-01-05T09:00:00Z`)].join('\n');
    const key = 'mortgages/transactions/ingest_date=2024-01-05/a.csv.gz';

    const whole = await enrichWith(gzipSync(body), 1 << 20, key);
    const cut = await enrichWith(gzipSync(body), 100, key);

    expect(cut.chunks).toBeGreaterThan(5);
    expect(cut.rows).toEqual(whole.rows);
  });

  it('keeps a file with an unclosed quote whole after it, and still accounts for every line', async () => {
    const content = [HEADER, '1,A,1.00,EUR,2024-01-05T09:00:00Z', '2,"broken,1.00,EUR,2024-01-05T09:00:00Z', '3,C,1.00,EUR,2024-01-05T09:00:00Z'].join('\n');

    const whole = await enrichWith(content, 1 << 20);
    const cut = await enrichWith(content, 10);

    expect(cut.rows).toEqual(whole.rows);
    expect(cut.rows.map((row) => row.sourceLine)).toEqual([2, 3, 4]);
  });

  it('gives the same rows for any chunk size on generated files (property)', async () => {
    const field = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9 .-]{0,6}$/),
      fc.stringMatching(/^[A-Za-z\n\r," ]{0,6}$/).map((text) => `"${text.replace(/"/g, '""')}"`),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 6 }).map((fields) => fields.join(','));
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 25 }), fc.integer({ min: 1, max: 120 }), fc.boolean(), async (records, chunkBytes, crlf) => {
        const content = [HEADER, ...records].join(crlf ? '\r\n' : '\n');
        const whole = await enrichWith(content, 1 << 20);
        const cut = await enrichWith(content, chunkBytes);
        expect(cut.rows).toEqual(whole.rows);
      }),
      { numRuns: 60 },
    );
  });
});
