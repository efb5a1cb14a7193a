import { MemoryObjectStore } from '@ledgerlake/storage';
import { rowFields } from '@ledgerlake/domain';
import { decodeEnrichedPart, EnrichedPartEncoder, readEnrichedPart, writeEnrichedPart, type WorkRow } from './enriched-part';

const row = (over: Partial<WorkRow> = {}): WorkRow => ({
  sourceFileId: 's3://bronze/a.csv#v1',
  sourceLine: 2,
  attemptCount: 0,
  rowHash: 'ab'.repeat(32),
  fields: rowFields(['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z']),
  schemaProblem: null,
  ...over,
});

const bytesOf = (chunks: readonly Uint8Array[]): Uint8Array => Buffer.concat(chunks);

function roundTrip(rows: readonly WorkRow[]) {
  const encoder = new EnrichedPartEncoder(Math.max(1, rows.length));
  for (const r of rows) encoder.add(r);
  return decodeEnrichedPart(bytesOf(encoder.take()), 'test part');
}

describe('enriched work part', () => {
  it('round-trips rows: text with tabs, newlines, non-ASCII and astral characters, absent fields apart from empty ones', () => {
    const rows = [
      row(),
      row({ fields: rowFields(['a\tb', 'line1\nline2', 'x\r\ny', 'C:\\N', '\\N']), sourceFileId: 'weird\tid', sourceLine: 7, attemptCount: 3 }),
      row({ fields: rowFields(['', null, '', null, '']), schemaProblem: 'record has 3 fields; the header has 5', rowHash: 'cd'.repeat(32) }),
      row({ fields: rowFields(['2', 'ACC€001 𝄞', '-0.01', 'EUR', '2024-02-01T00:30:00+01:00']), sourceLine: 4_000_000_000 }),
    ];
    const part = roundTrip(rows);

    expect(part.rows).toBe(4);
    expect(part.workRows()).toEqual(rows);
  });

  it('carries the typed fields parsed once, and says where they do not parse', () => {
    const part = roundTrip([
      row({ fields: rowFields(['42', 'ACC001', '-25.50', 'EUR', '2024-02-01T00:30:00+01:00']) }),
      row({ fields: rowFields(['x', 'ACC001', 'abc', 'EUR', 'yesterday']) }),
      row({ fields: rowFields([null, null, null, null, null]), schemaProblem: 'unparseable record' }),
    ]);

    expect([part.idParses(0), part.amountParses(0), part.timestampParses(0)]).toEqual([true, true, true]);
    expect(part.id[0]).toBe(42n);
    expect(part.amountOf(0)).toBe(-2550n);
    expect(part.txMicros[0]).toBe(BigInt(Date.parse('2024-01-31T23:30:00Z')) * 1000n);
    // The UTC month: an offset moves the row into January.
    expect(part.month[0]).toBe(2024 * 12 + 0);
    expect([part.idParses(1), part.amountParses(1), part.timestampParses(1)]).toEqual([false, false, false]);
    expect(part.amountOf(1)).toBeUndefined();
    expect([part.idParses(2), part.amountParses(2), part.timestampParses(2), part.hasSchemaProblem(2)]).toEqual([false, false, false, true]);
    expect(part.hasSchemaProblem(0)).toBe(false);
  });

  it('sums the amounts that parse over every row added, across parts', () => {
    const encoder = new EnrichedPartEncoder(2);
    encoder.add(row({ fields: rowFields(['1', 'A', '1.50', 'EUR', 'x']) }));
    encoder.add(row({ fields: rowFields(['2', 'A', 'bad', 'EUR', 'x']) }));
    encoder.take();
    encoder.add(row({ fields: rowFields(['3', 'A', '-0.25', 'EUR', 'x']) }));

    expect(encoder.amountMinor).toBe(125n);
    expect(encoder.rows).toBe(1);
  });

  it('builds the same part across many text flushes and as its columns grow, and refuses more rows than it holds', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) =>
      row({ sourceLine: i + 2, rowHash: i.toString(16).padStart(64, '0'), fields: rowFields([String(i), `ACC${'x'.repeat(40)}${i}`, '1.00', 'EUR', '2024-01-05T09:00:00Z']) }),
    );
    const encoder = new EnrichedPartEncoder(100_000);
    for (const r of rows) encoder.add(r);
    const chunks = encoder.take();

    expect(chunks.length).toBeGreaterThan(20);
    expect(decodeEnrichedPart(bytesOf(chunks), 'part').workRows()).toEqual(rows);
    const full = new EnrichedPartEncoder(1);
    full.add(row());
    expect(() => full.add(row())).toThrow(/at most 1 rows/);
    expect(() => new EnrichedPartEncoder(1).add(row({ rowHash: 'zz'.repeat(32) }))).toThrow(/is not 64 hex digits/);
    expect(() => new EnrichedPartEncoder(1).add(row({ rowHash: 'ab' }))).toThrow(/is not 64 hex digits/);
  });

  it('writes and reads through a store, an empty part too', async () => {
    const store = new MemoryObjectStore();
    const ref = { bucket: 'artifacts', key: 'work/r/enriched/part-00000.bin' };
    await writeEnrichedPart(store, ref, [row(), row({ sourceLine: 3 })]);
    expect((await readEnrichedPart(store, ref)).workRows()).toEqual([row(), row({ sourceLine: 3 })]);

    await writeEnrichedPart(store, ref, []);
    expect((await readEnrichedPart(store, ref)).rows).toBe(0);
    await expect(readEnrichedPart(store, { ...ref, key: 'nope' })).rejects.toThrow(/work file artifacts\/nope is missing/);
  });

  it('refuses another format, a cut part and trailing bytes', () => {
    const bytes = bytesOf((() => {
      const encoder = new EnrichedPartEncoder(2);
      encoder.add(row());
      encoder.add(row({ fields: rowFields(['2', 'ACC002', '1.00', 'EUR', '2024-01-05T09:00:00Z']) }));
      return encoder.take();
    })());

    expect(() => decodeEnrichedPart(Buffer.from('1\tACC001\n'), 'p')).toThrow(/p is not an enriched work part/);
    expect(() => decodeEnrichedPart(bytes.subarray(0, 100), 'p')).toThrow(/p has 100 bytes, too few for 2 rows/);
    expect(() => decodeEnrichedPart(bytes.subarray(0, bytes.length - 8), 'p')).toThrow(/p is cut short in text column 6/);
    expect(() => decodeEnrichedPart(Buffer.concat([bytes, Buffer.alloc(8)]), 'p')).toThrow(/p has 8 bytes past its last column/);
  });

  it('reads a part whose bytes do not start on 8 bytes', () => {
    const bytes = bytesOf((() => {
      const encoder = new EnrichedPartEncoder(1);
      encoder.add(row());
      return encoder.take();
    })());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);

    expect(decodeEnrichedPart(shifted.subarray(3), 'p').workRow(0)).toEqual(row());
  });
});
