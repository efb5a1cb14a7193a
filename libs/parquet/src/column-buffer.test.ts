import { ColumnBuffer } from './column-buffer';
import type { ParquetColumnSpec } from './parquet-schema';

const COLUMNS: ParquetColumnSpec[] = [
  { name: 'id', kind: 'int64' },
  { name: 'n', kind: 'int32' },
  { name: 's', kind: 'string', encoding: 'dictionary' },
  { name: 'maybe', kind: 'int64', nullable: true },
];

const text = (views: ArrayLike<unknown> | undefined) =>
  Array.from(views ?? [], (view) => (view instanceof Uint8Array ? Buffer.from(view).toString('utf8') : view));

describe('ColumnBuffer', () => {
  it('keeps non-null numeric columns in typed arrays and the rest in plain arrays', () => {
    const buffer = new ColumnBuffer(COLUMNS);

    buffer.push([1n, 2, 'a', null]);
    buffer.push([3n, 4, 'b', 5n]);

    const [ids, ns, strings, maybes] = buffer.columnValues();
    expect(ids).toBeInstanceOf(BigInt64Array);
    expect(ns).toBeInstanceOf(Int32Array);
    expect(Array.from(ids ?? [])).toEqual([1n, 3n]);
    expect(Array.from(ns ?? [])).toEqual([2, 4]);
    expect(strings).toEqual(['a', 'b']);
    expect(maybes).toEqual([null, 5n]);
    expect(buffer.length).toBe(2);
  });

  it('keeps strings that are not dictionary-encoded as UTF-8 views of one buffer', () => {
    const buffer = new ColumnBuffer([
      { name: 'hash', kind: 'string', encoding: 'plain' },
      { name: 'raw', kind: 'string', nullable: true },
    ]);

    buffer.push(['ab', null]);
    buffer.push(['', 'zoë 🚀']);
    buffer.push(['x'.repeat(40_000), '']);

    const [hashes, raws] = buffer.columnValues();
    expect(text(hashes)).toEqual(['ab', '', 'x'.repeat(40_000)]);
    expect(text(raws)).toEqual([null, 'zoë 🚀', '']);
    expect((hashes?.[0] as Uint8Array).buffer).toBe((hashes?.[2] as Uint8Array).buffer);
  });

  it('refuses a non-string in a string column', () => {
    const buffer = new ColumnBuffer([{ name: 'hash', kind: 'string' }]);

    expect(() => buffer.push([1n])).toThrow('parquet: column hash expects a string, got bigint');
  });

  it('grows past its initial capacity without losing values', () => {
    const buffer = new ColumnBuffer(COLUMNS);

    const wide = new ColumnBuffer([...COLUMNS, { name: 'raw', kind: 'string' }]);
    for (let i = 0; i < 5000; i++) buffer.push([BigInt(i), i, `s${i}`, null]);
    for (let i = 0; i < 5000; i++) wide.push([BigInt(i), i, `s${i}`, null, `raw-${i}-é`]);

    const [ids, ns] = buffer.columnValues();
    expect(ids?.length).toBe(5000);
    expect(ids?.[4999]).toBe(4999n);
    expect(ns?.[1234]).toBe(1234);
    const raws = wide.columnValues()[4];
    expect(text(raws).slice(4998)).toEqual(['raw-4998-é', 'raw-4999-é']);
  });

  it('starts empty again after clear and release', () => {
    const buffer = new ColumnBuffer(COLUMNS);
    buffer.push([1n, 2, 'a', null]);

    buffer.clear();
    expect(buffer.length).toBe(0);
    expect(buffer.columnValues()[2]).toEqual([]);
    buffer.push([7n, 8, 'z', null]);
    expect(buffer.columnValues()[0]?.[0]).toBe(7n);
    buffer.release();

    expect(buffer.length).toBe(0);
    expect(buffer.columnValues().every((values) => values.length === 0)).toBe(true);
  });

  it('refuses a null in a required typed column', () => {
    const buffer = new ColumnBuffer(COLUMNS);

    expect(() => buffer.push([null, 2, 'a', null])).toThrow('parquet: column id is not nullable');
  });

  it('refuses a row of the wrong width', () => {
    const buffer = new ColumnBuffer(COLUMNS);

    expect(() => buffer.push([1n, 2, 'a'])).toThrow('parquet: row has 3 values for 4 columns');
  });
});
