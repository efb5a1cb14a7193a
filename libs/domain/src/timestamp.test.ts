import { formatTimestampMicros, type ParsedTimestamp, parseTimestamp } from './timestamp';

function parsed(text: string): ParsedTimestamp {
  const result = parseTimestamp(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.problem}`);
  return result;
}

function problemOf(text: string): string {
  const result = parseTimestamp(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected, got ${result.epochMicros}`);
  return result.problem;
}

function micros(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 1000n;
}

const FORMAT =
  'is not an ISO-8601 date-time; expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM] or YYYY-MM-DD HH:MM:SS';

describe('parseTimestamp: accepted forms', () => {
  it('parses the contract sample with Z', () => {
    expect(parsed('2024-01-05T09:00:00Z')).toEqual({
      ok: true,
      epochMicros: micros('2024-01-05T09:00:00Z'),
      utcDay: '2024-01-05',
      year: 2024,
      month: 1,
    });
  });

  it('parses the contract sample with a space separator as UTC', () => {
    expect(parsed('2024-02-12 09:00:00')).toEqual({
      ok: true,
      epochMicros: micros('2024-02-12T09:00:00Z'),
      utcDay: '2024-02-12',
      year: 2024,
      month: 2,
    });
  });

  it.each(['2024-01-05T09:00:00', '2024-01-05 09:00:00', '2024-01-05t09:00:00z', '2024-01-05T09:00:00+00:00', '2024-01-05T09:00:00-00:00', '2024-01-05T09:00:00+0000', '2024-01-05T09:00:00+00'])(
    'reads %j as the same instant as Z',
    (text) => {
      expect(parsed(text).epochMicros).toBe(parsed('2024-01-05T09:00:00Z').epochMicros);
    },
  );

  it.each([
    ['2024-01-05T09:00:00+05:30', '2024-01-05T03:30:00Z'],
    ['2024-01-05T09:00:00+0530', '2024-01-05T03:30:00Z'],
    ['2024-01-05T09:00:00+05', '2024-01-05T04:00:00Z'],
    ['2024-01-05T09:00:00-08:00', '2024-01-05T17:00:00Z'],
    ['2024-01-05T09:00:00-0800', '2024-01-05T17:00:00Z'],
    ['2024-01-05T09:00:00-08', '2024-01-05T17:00:00Z'],
    ['2024-01-05 09:00:00+01:00', '2024-01-05T08:00:00Z'],
    ['2024-01-05T09:00:00+18:00', '2024-01-04T15:00:00Z'],
    ['2024-01-05T09:00:00-18:00', '2024-01-06T03:00:00Z'],
  ])('applies the offset of %j', (text, utc) => {
    expect(parsed(text).epochMicros).toBe(micros(utc));
  });

  it.each([
    ['.1', 100_000n],
    ['.12', 120_000n],
    ['.123', 123_000n],
    ['.1234', 123_400n],
    ['.12345', 123_450n],
    ['.123456', 123_456n],
    ['.000001', 1n],
  ])('reads the fraction %j as %d microseconds', (fraction, expected) => {
    expect(parsed(`2024-01-05T09:00:00${fraction}Z`).epochMicros - micros('2024-01-05T09:00:00Z')).toBe(expected);
  });

  it('combines a fraction with an offset', () => {
    expect(parsed('2024-01-05T09:00:00.5+01:00').epochMicros).toBe(micros('2024-01-05T08:00:00.500Z'));
  });

  it.each([
    ['2024-02-29T12:00:00Z', '2024-02-29'],
    ['2000-02-29T12:00:00Z', '2000-02-29'],
    ['2024-04-30T12:00:00Z', '2024-04-30'],
    ['2024-12-31T23:59:59Z', '2024-12-31'],
  ])('accepts the real date %j', (text, day) => {
    expect(parsed(text).utcDay).toBe(day);
  });

  it('accepts the first and last supported instants', () => {
    expect(parsed('0001-01-01T00:00:00Z').epochMicros).toBe(-62_135_596_800_000_000n);
    expect(parsed('9999-12-31T23:59:59.999999Z').epochMicros).toBe(253_402_300_799_999_999n);
  });

  it('handles instants before the epoch', () => {
    expect(parsed('1969-12-31T23:59:59.5Z').epochMicros).toBe(-500_000n);
    expect(parsed('1900-01-01T00:00:00Z')).toMatchObject({ epochMicros: micros('1900-01-01T00:00:00Z'), year: 1900 });
  });

  it('handles instants far after the epoch (beyond 2^53 microseconds)', () => {
    expect(parsed('2300-06-15T12:34:56.789012Z').epochMicros).toBe(micros('2300-06-15T12:34:56Z') + 789_012n);
  });
});

describe('parseTimestamp: UTC day, year and month follow the instant', () => {
  it.each([
    ['2024-02-01T00:30:00+01:00', '2024-01-31', 2024, 1],
    ['2024-01-31T23:30:00-01:00', '2024-02-01', 2024, 2],
    ['2024-01-01T00:30:00+01:00', '2023-12-31', 2023, 12],
    ['2023-12-31T23:30:00-01:00', '2024-01-01', 2024, 1],
    ['2024-03-01T05:00:00+0600', '2024-02-29', 2024, 2],
    ['2023-03-01T05:00:00+06', '2023-02-28', 2023, 2],
    ['2024-06-15T12:00:00+02:00', '2024-06-15', 2024, 6],
  ])('%j is %s in UTC', (text, day, year, month) => {
    expect(parsed(text)).toMatchObject({ utcDay: day, year, month });
  });

  it('agrees with Date on every day of 1999-2001 and around the epoch', () => {
    const start = Date.UTC(1968, 0, 1);
    const days = [...Array(1200).keys()].map((n) => start + n * 86_400_000);
    for (const [n, time] of days.concat([...Array(1200).keys()].map((n) => Date.UTC(1999, 0, 1) + n * 86_400_000)).entries()) {
      const iso = new Date(time).toISOString().slice(0, 10);
      const offset = n % 2 === 0 ? '+03:00' : '-03:00';
      const result = parsed(`${iso}T12:00:00${offset}`);
      const expected = new Date(time + (n % 2 === 0 ? 9 : 15) * 3_600_000);
      expect([result.epochMicros, result.utcDay, result.year, result.month]).toEqual([
        BigInt(expected.getTime()) * 1000n,
        expected.toISOString().slice(0, 10),
        expected.getUTCFullYear(),
        expected.getUTCMonth() + 1,
      ]);
    }
  });
});

describe('parseTimestamp: rejected', () => {
  it.each([
    ['', 'is empty'],
    ['2024-01-05', 'has a date but no time; expected a date and time such as 2024-01-05T09:00:00Z'],
    ['2024-01-05T09:00', 'has no seconds; expected HH:MM:SS'],
    ['2024-01-05T09:00Z', 'has no seconds; expected HH:MM:SS'],
    ['2024-01-05T09:00+01:00', 'has no seconds; expected HH:MM:SS'],
    ['2024-01-05T09:00-01:00', 'has no seconds; expected HH:MM:SS'],
    ['2024-01-05T09:00z', 'has no seconds; expected HH:MM:SS'],
    ['2024-01-05 09:00', 'has no seconds; expected HH:MM:SS'],
    ['2023-02-29T00:00:00Z', 'has day 29 but 2023-02 has 28 days'],
    ['1900-02-29T00:00:00Z', 'has day 29 but 1900-02 has 28 days'],
    ['2024-02-30T00:00:00Z', 'has day 30 but 2024-02 has 29 days'],
    ['2024-04-31T00:00:00Z', 'has day 31 but 2024-04 has 30 days'],
    ['2024-01-32T00:00:00Z', 'has day 32 but 2024-01 has 31 days'],
    ['2024-01-00T00:00:00Z', 'has day 00; expected 01-31'],
    ['2024-13-01T00:00:00Z', 'has month 13; expected 01-12'],
    ['2024-00-01T00:00:00Z', 'has month 00; expected 01-12'],
    ['0000-01-01T00:00:00Z', 'has year 0000; expected 0001-9999'],
    ['2024-01-05T24:00:00Z', 'has hour 24; expected 00-23'],
    ['2024-01-05T09:60:00Z', 'has minute 60; expected 00-59'],
    ['2024-01-05T09:00:60Z', 'has second 60; expected 00-59 (leap seconds are not supported)'],
    ['2024-01-05T09:00:00.1234567Z', 'has 7 fraction digits; at most 6 (microseconds) allowed'],
    ['2024-01-05T09:00:00.1234560', 'has 7 fraction digits; at most 6 (microseconds) allowed'],
    ['2024-01-05T09:00:00+18:01', 'has offset +18:01; at most ±18:00 allowed'],
    ['2024-01-05T09:00:00-19', 'has offset -19; at most ±18:00 allowed'],
    ['2024-01-05T09:00:00+01:60', 'has offset minutes 60; expected 00-59'],
    ['0001-01-01T00:30:00+01:00', 'falls outside 0001-01-01..9999-12-31 once converted to UTC'],
    ['9999-12-31T23:30:00-01:00', 'falls outside 0001-01-01..9999-12-31 once converted to UTC'],
  ])('rejects %j: %s', (text, problem) => {
    expect(problemOf(text)).toBe(problem);
  });

  it.each([
    'x',
    '2024',
    '2024-1-05T09:00:00Z',
    '2024/01/05 09:00:00',
    '24-01-05T09:00:00Z',
    '+2024-01-05T09:00:00Z',
    '2024-01-05X09:00:00',
    '2024-01-05  09:00:00',
    '2024-01-05T',
    '2024-01-05T9:00:00',
    '2024-01-05T09-00-00',
    '2024-01-05T09:00.5',
    '2024-01-05T09:00 00',
    '2024-01-05T09:00:0',
    '2024-01-05T09:00:00.',
    '2024-01-05T09:00:00.Z',
    '2024-01-05T09:00:00,5Z',
    '2024-01-05T09:00:00 Z',
    '2024-01-05T09:00:00ZZ',
    '2024-01-05T09:00:00UTC',
    '2024-01-05T09:00:00+1',
    '2024-01-05T09:00:00+01:0',
    '2024-01-05T09:00:00+010',
    '2024-01-05T09:00:00+01:000',
    '2024-01-05T09:00:00+ab:cd',
    '2024-01-05T09:00:00−01:00',
    '2024-01-05T09:00:xx',
    '20240105T090000Z',
    '2024-W01-5T09:00:00Z',
    '1704445200',
  ])('rejects %j as not ISO-8601', (text) => {
    expect(problemOf(text)).toBe(FORMAT);
  });
});

describe('formatTimestampMicros', () => {
  it.each([
    [micros('2024-01-05T09:00:00Z'), '2024-01-05T09:00:00.000000Z'],
    [micros('2024-01-05T09:00:00Z') + 123_456n, '2024-01-05T09:00:00.123456Z'],
    [0n, '1970-01-01T00:00:00.000000Z'],
    [-1n, '1969-12-31T23:59:59.999999Z'],
    [-62_135_596_800_000_000n, '0001-01-01T00:00:00.000000Z'],
    [253_402_300_799_999_999n, '9999-12-31T23:59:59.999999Z'],
  ])('formats %d as %j', (value, text) => {
    expect(formatTimestampMicros(value)).toBe(text);
  });

  it('round-trips with parseTimestamp', () => {
    for (const text of ['2024-02-29T23:59:59.000001Z', '1969-07-20T20:17:40.000000Z', '2038-01-19T03:14:08.999999Z']) {
      expect(formatTimestampMicros(parsed(text).epochMicros)).toBe(text);
    }
  });

  it('refuses instants outside years 0001-9999', () => {
    expect(() => formatTimestampMicros(253_402_300_800_000_000n)).toThrow(
      'timestamp: 253402300800000000 microseconds is outside 0001-01-01..9999-12-31',
    );
    expect(() => formatTimestampMicros(-62_135_596_800_000_001n)).toThrow(RangeError);
  });
});
