import { monthIndex } from '@ledgerlake/work-area';
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

  it('keeps many keys apart, ids beyond 2^53 and days before 1970 too, as its index grows', () => {
    const n = 50_000;
    const table = new FileKeyTable(2 * n + 2);
    for (let i = 0; i < n; i++) {
      // Ids and days that collide in their low bits, in both orders.
      expect(table.register({ id: i * 65_536, day: i % 7, month: 'm' }, 2 * i, 2 * i + 2)).toBe(2 * i);
      expect(table.register({ id: i % 7, day: i * 3 - 30_000, month: 'm' }, 2 * i + 1, 2 * i + 3)).toBe(2 * i + 1);
    }
    const big = { id: '9007199254740993', day: -1, month: '1969-12' };
    expect(table.register(big, 2 * n, 7)).toBe(2 * n);
    expect(table.register({ ...big, day: 0 }, 2 * n + 1, 8)).toBe(2 * n + 1);

    expect(table.size).toBe(2 * n + 2);
    for (let i = 0; i < n; i += 997) {
      expect(table.find(i % 7, i * 65_536)).toBe(2 * i);
      expect(table.find(i * 3 - 30_000, i % 7)).toBe(2 * i + 1);
      expect(table.firstLine(2 * i + 1)).toBe(2 * i + 3);
    }
    expect(table.find(3, 65_536 * 4)).toBeUndefined();
    expect(table.find(-1, '9007199254740993')).toBe(2 * n);
    expect(table.describe(2 * n)).toBe('TransactionID 9007199254740993 on 1969-12-31');
    expect(table.register({ id: 0, day: 0, month: 'm' }, 99, 99)).toBe(0);
    expect(table.hasDay(6)).toBe(true);
    expect(table.hasDay(-29_999)).toBe(false);
  });

  it('refuses more keys than rows announced', () => {
    const table = new FileKeyTable(1);
    table.register({ id: 1, day: 0, month: '1970-01' }, 0, 2);
    expect(() => table.register({ id: 2, day: 0, month: '1970-01' }, 1, 3)).toThrow(/more keys than the 1 rows/);
  });
});
