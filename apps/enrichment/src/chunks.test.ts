import { gzipSync } from 'node:zlib';
import { type EnrichmentResult, type RunState, WorkPartSchema } from '@ledgerlake/contract';
import { readEnrichedPart, workPartRef, type WorkRow, readMapItems } from '@ledgerlake/work-area';
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
  for (const { part } of await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part')) {
    rows.push(...(await readEnrichedPart(store, workPartRef(result.work, 'enriched', part))).workRows());
  }
  return { chunks: plan.chunk_count, result, rows, parts: await readMapItems(store, result.part_manifest, WorkPartSchema, 'enriched part') };
}

function boundaries(text: string): number[] {
  const found: number[] = [];
  const scanner = new RecordBoundaryScanner();
  // One byte at a time: state must carry across chunk edges.
  for (const byte of Buffer.from(text)) scanner.scan(Uint8Array.of(byte), (offset) => void found.push(offset));
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

  it('follows a quote that ends quoting early (the field goes on unquoted) and a quoted field of any length', () => {
    expect(boundaries('"a"x,b\nc\n')).toEqual([7, 9]);
    expect(boundaries('"a"\rx\nc\n"b"\r\nd\n')).toEqual([6, 8, 13, 15]);
    expect(boundaries(`"${'x'.repeat(5000)}\nmore",y\nz\n`)).toEqual([5010, 5012]);
  });

  it('stops where the boundary callback asks, and says how many bytes it scanned', () => {
    const scanner = new RecordBoundaryScanner({ bom: false });
    expect(scanner.scan(Buffer.from('ab\ncd\n'), () => true)).toBe(3);
    expect(scanner.scan(Buffer.from('cd\n'), () => false)).toBe(3);
  });

  it('counts lines across chunks', () => {
    const scanner = new RecordBoundaryScanner();
    const lines: number[] = [];
    scanner.scan(Buffer.from('a\n"b\nc"\n'), (_offset, line) => void lines.push(line));
    scanner.scan(Buffer.from('d\n'), (_offset, line) => void lines.push(line));
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
    expect(new Set(cut.parts.map((p) => p.part)).size).toBe(cut.result.part_count);
  });

  it('cuts a gzip file into plain chunk objects in the work area, with the same rows', async () => {
    const body = [HEADER, ...Array.from({ length: 30 }, (_, i) => `${i},"A\nB",1.00,EUR,2024-01-05T09:00:00Z`)].join('\n');
    const key = 'mortgages/transactions/ingest_date=2024-01-05/a.csv.gz';

    const whole = await enrichWith(gzipSync(body), 1 << 20, key);
    const cut = await enrichWith(gzipSync(body), 100, key);

    expect(cut.chunks).toBeGreaterThan(5);
    expect(cut.rows).toEqual(whole.rows);
  });

  it('reads an unclosed quote to the end of the file as one record, whatever the chunks', async () => {
    const content = [HEADER, '1,A,1.00,EUR,2024-01-05T09:00:00Z', '2,"broken,1.00,EUR,2024-01-05T09:00:00Z', '3,C,1.00,EUR,2024-01-05T09:00:00Z'].join('\n');

    const whole = await enrichWith(content, 1 << 20);
    const cut = await enrichWith(content, 10);

    expect(cut.rows).toEqual(whole.rows);
    expect(cut.rows.map((row) => row.sourceLine)).toEqual([2, 3]);
  });

  it('cuts after a quoted field over the record limit, and reads the rest the same (row-like lines inside it are no rows)', async () => {
    const long = `"${'x'.repeat(300)}\n2,PHANTOM,1.00,EUR,2024-01-01T00:00:00Z\n"`;
    const content = [HEADER, `1,${long},1.00,EUR,2024-01-05T09:00:00Z`, ...Array.from({ length: 10 }, (_, i) => `${i + 3},A,1.00,EUR,2024-01-05T09:00:00Z`)].join('\n');

    const whole = await enrichWith(content, 1 << 20);
    const cut = await enrichWith(content, 50);

    expect(cut.chunks).toBeGreaterThan(3);
    expect(cut.rows).toEqual(whole.rows);
    expect(whole.rows.map((row) => row.sourceLine)).toEqual([2, ...Array.from({ length: 10 }, (_, i) => i + 5)]);
    expect(whole.rows[0]?.fields).toEqual({ id: null, account: null, amount: null, currency: null, timestamp: null });
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
