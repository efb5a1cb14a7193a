import { MemoryObjectStore } from '@ledgerlake/storage';
import { readWorkRows, writeWorkPart } from './work-area';
import { WorkPartEncoder, writeEncodedWorkPart } from './work-part-encoder';
import type { WorkRow } from './work-row';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const row = (i: number): WorkRow => ({
  sourceFileId: 's3://bronze/a.csv#etag',
  sourceLine: i + 2,
  attemptCount: 0,
  rowHash: i.toString(16).padStart(64, '0'),
  fields: [String(i), 'ACC€001', '1.00', 'EUR', i % 3 === 0 ? null : 'a\tb\nc'],
  schemaProblem: i % 3 === 0 ? 'record has 4 fields; the header has 5' : null,
});

describe('work part encoder', () => {
  it('writes exactly the bytes writeWorkPart writes, across many flushes', async () => {
    const store = new MemoryObjectStore();
    const rows = Array.from({ length: 3000 }, (_, i) => row(i));
    const encoder = new WorkPartEncoder();
    for (const r of rows) encoder.add(r);
    expect(encoder.rows).toBe(3000);
    const a = { bucket: 'artifacts', key: 'a.tsv' };
    const b = { bucket: 'artifacts', key: 'b.tsv' };
    const chunks = encoder.take();
    expect(chunks.length).toBeGreaterThan(1);
    await writeEncodedWorkPart(store, a, chunks);
    await writeWorkPart(store, b, rows);
    expect(Buffer.from(must(await store.getBytes(a))).equals(Buffer.from(must(await store.getBytes(b))))).toBe(true);
    const back: WorkRow[] = [];
    for await (const batch of readWorkRows(store, a)) back.push(...batch);
    expect(back).toEqual(rows);
  });

  it('is empty after take', () => {
    const encoder = new WorkPartEncoder();
    encoder.add(row(1));
    expect(encoder.bytes).toBeGreaterThan(0);
    encoder.take();
    expect(encoder.rows).toBe(0);
    expect(encoder.take()).toEqual([]);
  });
});
