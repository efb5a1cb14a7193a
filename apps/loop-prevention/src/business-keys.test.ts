import { monthIndex } from '@ledgerlake/pipeline';
import { dayOfMicros, dayOfMillis, FileKeyTable, formatDay, idKeyOf, keyOf, monthOf } from './business-keys';

describe('business keys', () => {
  it('keys a row by id and UTC day, and names the month to look in', () => {
    const micros = BigInt(Date.parse('2024-01-31T23:30:00Z')) * 1000n;
    expect(keyOf(7n, micros, monthIndex(2024, 1))).toEqual({ id: 7, day: dayOfMillis(Date.parse('2024-01-31T00:00:00Z')), month: '2024-01' });
    expect(monthOf(monthIndex(2023, 12))).toBe('2023-12');
    expect(monthOf(monthIndex(2024, 1))).toBe('2024-01');
  });

  it('keeps ids beyond 2^53 as exact text', () => {
    expect(idKeyOf(9007199254740991n)).toBe(9007199254740991);
    expect(idKeyOf(9007199254740993n)).toBe('9007199254740993');
    expect(idKeyOf(-9223372036854775808n)).toBe('-9223372036854775808');
  });

  it('floors days before 1970', () => {
    expect(dayOfMicros(-1n)).toBe(-1);
    expect(dayOfMicros(-86_400_000_000n)).toBe(-1);
    expect(dayOfMicros(86_399_999_999n)).toBe(0);
    expect(formatDay(-1)).toBe('1969-12-31');
  });

  it('registers the first row of a key and finds it again', () => {
    const table = new FileKeyTable(3);
    const key = { id: 42, day: 19727, month: '2024-01' };
    expect(table.register(key, 0, 2)).toBe(0);
    expect(table.register({ ...key, id: 43 }, 1, 3)).toBe(1);
    expect(table.register(key, 2, 9)).toBe(0);
    expect(table.firstLine(0)).toBe(2);
    expect(table.size).toBe(2);
    expect(table.describe(0)).toBe('TransactionID 42 on 2024-01-05');
    table.markPublished(0, 'r1');
    table.markPublished(0, 'r2');
    expect(table.publishedBy(0)).toBe('r1');
    expect(table.publishedBy(1)).toBeUndefined();
  });

  it('refuses more keys than rows announced', () => {
    const table = new FileKeyTable(1);
    table.register({ id: 1, day: 0, month: '1970-01' }, 0, 2);
    expect(() => table.register({ id: 2, day: 0, month: '1970-01' }, 1, 3)).toThrow(/more keys than the 1 rows/);
  });
});
