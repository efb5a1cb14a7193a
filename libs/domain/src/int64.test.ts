import { canonicalInt64, INT64_MAX, INT64_MIN, parseInt64 } from './int64';

function valueOf(text: string): bigint {
  const result = parseInt64(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.problem}`);
  return result.value;
}

function problemOf(text: string): string {
  const result = parseInt64(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected, got ${result.value}`);
  return result.problem;
}

const OUT_OF_RANGE = 'is outside the int64 range -9223372036854775808..9223372036854775807';

describe('parseInt64', () => {
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['-1', -1n],
    ['+1', 1n],
    ['-0', 0n],
    ['007', 7n],
    ['-007', -7n],
    ['999999999999999', 999999999999999n],
    ['9007199254740993', 9007199254740993n],
    ['00000000000000000000000042', 42n],
  ])('parses %j as %d', (text, value) => {
    expect(valueOf(text)).toBe(value);
  });

  it('accepts the int64 limits', () => {
    expect(valueOf('9223372036854775807')).toBe(INT64_MAX);
    expect(valueOf('-9223372036854775808')).toBe(INT64_MIN);
    expect(valueOf('+0009223372036854775807')).toBe(INT64_MAX);
  });

  it('rejects one past each limit', () => {
    expect(problemOf('9223372036854775808')).toBe(OUT_OF_RANGE);
    expect(problemOf('-9223372036854775809')).toBe(OUT_OF_RANGE);
  });

  it('rejects 20 significant digits', () => {
    expect(problemOf('10000000000000000000')).toBe(OUT_OF_RANGE);
    expect(problemOf('-99999999999999999999999')).toBe(OUT_OF_RANGE);
  });

  it.each([
    ['', 'is empty'],
    ['+', 'is not a number; expected a whole number such as 12345'],
    ['-', 'is not a number; expected a whole number such as 12345'],
    ['abc', 'is not a number; expected a whole number such as 12345'],
    ['-x1', 'is not a number; expected a whole number such as 12345'],
    ['--1', 'is not a number; expected a whole number such as 12345'],
    ['１２', 'is not a number; expected a whole number such as 12345'],
    ['1.0', 'has a decimal point; expected a whole number such as 12345'],
    ['1e3', 'uses exponent notation; expected a whole number such as 12345'],
    ['1E3', 'uses exponent notation; expected a whole number such as 12345'],
    [' 1', 'contains whitespace; expected a whole number such as 12345'],
    ['1 ', 'contains whitespace; expected a whole number such as 12345'],
    ['1 000', 'contains whitespace; expected a whole number such as 12345'],
    ['1,000', 'contains ","; expected a whole number such as 12345'],
    ['12a', 'contains "a"; expected a whole number such as 12345'],
    ['0x1F', 'contains "x"; expected a whole number such as 12345'],
  ])('rejects %j: %s', (text, problem) => {
    expect(problemOf(text)).toBe(problem);
  });
});

describe('canonicalInt64', () => {
  it.each([
    [0n, '0'],
    [7n, '7'],
    [-7n, '-7'],
    [INT64_MAX, '9223372036854775807'],
    [INT64_MIN, '-9223372036854775808'],
  ])('formats %d as %j', (value, text) => {
    expect(canonicalInt64(value)).toBe(text);
  });

  it('gives one form for every spelling of a value', () => {
    expect(new Set(['7', '+7', '007', '+0007'].map((text) => canonicalInt64(valueOf(text))))).toEqual(new Set(['7']));
  });
});
