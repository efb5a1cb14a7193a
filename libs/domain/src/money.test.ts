import { DECIMAL_PRECISION, DECIMAL_SCALE, formatMinor, MAX_MINOR, MIN_MINOR, parseAmount } from './money';

function minorOf(text: string): bigint {
  const result = parseAmount(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got: ${result.problem}`);
  return result.minor;
}

function problemOf(text: string): string {
  const result = parseAmount(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected, got ${result.minor}`);
  return result.problem;
}

describe('parseAmount', () => {
  it.each([
    ['0', 0n],
    ['5', 500n],
    ['5.5', 550n],
    ['5.05', 505n],
    ['326.00', 32600n],
    ['-25.50', -2550n],
    ['+7', 700n],
    ['+7.1', 710n],
    ['-0.01', -1n],
    ['0.99', 99n],
    ['007.10', 710n],
    ['0000000000000000000001.5', 150n],
  ])('parses %j as %d minor units', (text, minor) => {
    expect(minorOf(text)).toBe(minor);
  });

  it('accepts 0, 1 and 2 fraction digits', () => {
    expect([minorOf('12'), minorOf('12.3'), minorOf('12.34')]).toEqual([1200n, 1230n, 1234n]);
  });

  it('rejects 3 fraction digits, even trailing zeros', () => {
    expect(problemOf('12.345')).toBe('has 3 fraction digits; at most 2 allowed');
    expect(problemOf('1.230')).toBe('has 3 fraction digits; at most 2 allowed');
  });

  it('reads -0.00 as zero', () => {
    expect(minorOf('-0.00')).toBe(0n);
  });

  it('accepts the largest and smallest DECIMAL(16,2) values exactly', () => {
    expect(minorOf('99999999999999.99')).toBe(MAX_MINOR);
    expect(minorOf('-99999999999999.99')).toBe(MIN_MINOR);
  });

  it('accepts 14 integer digits and rejects 15', () => {
    expect(minorOf('12345678901234')).toBe(1234567890123400n);
    expect(minorOf('12345678901234.5')).toBe(1234567890123450n);
    expect(problemOf('100000000000000')).toBe('exceeds DECIMAL(16,2): more than 14 integer digits');
    expect(problemOf('-100000000000000.00')).toBe('exceeds DECIMAL(16,2): more than 14 integer digits');
  });

  it('ignores leading zeros when counting integer digits', () => {
    expect(minorOf('00099999999999999.99')).toBe(MAX_MINOR);
  });

  it('is exact where a float would round (13 and 14 integer digits)', () => {
    expect(minorOf('9999999999999.99')).toBe(999999999999999n);
    expect(minorOf('90071992547409.93')).toBe(9007199254740993n);
  });

  it.each([
    ['', 'is empty'],
    ['5.', 'has no digit after the decimal point; expected a plain decimal such as -25.50'],
    ['-5.', 'has no digit after the decimal point; expected a plain decimal such as -25.50'],
    ['.5', 'has no digit before the decimal point; expected a plain decimal such as -25.50'],
    ['-.5', 'has no digit before the decimal point; expected a plain decimal such as -25.50'],
    ['.', 'has no digit before the decimal point; expected a plain decimal such as -25.50'],
    ['1e3', 'uses exponent notation; expected a plain decimal such as -25.50'],
    ['1.5E2', 'uses exponent notation; expected a plain decimal such as -25.50'],
    ['1,000.00', 'contains the separator ","; expected a plain decimal such as -25.50 without thousands separators'],
    ['1_000', 'contains the separator "_"; expected a plain decimal such as -25.50 without thousands separators'],
    ["1'000", 'contains the separator "\'"; expected a plain decimal such as -25.50 without thousands separators'],
    ['1 000', 'contains whitespace; expected a plain decimal such as -25.50'],
    [' 1', 'contains whitespace; expected a plain decimal such as -25.50'],
    ['1\t', 'contains whitespace; expected a plain decimal such as -25.50'],
    ['1.2.3', 'has more than one decimal point; expected a plain decimal such as -25.50'],
    ['NaN', 'is not a number; expected a plain decimal such as -25.50'],
    ['Infinity', 'is not a number; expected a plain decimal such as -25.50'],
    ['-Infinity', 'is not a number; expected a plain decimal such as -25.50'],
    ['+', 'is not a number; expected a plain decimal such as -25.50'],
    ['-', 'is not a number; expected a plain decimal such as -25.50'],
    ['+-1', 'is not a number; expected a plain decimal such as -25.50'],
    ['e5', 'is not a number; expected a plain decimal such as -25.50'],
    ['12abc', 'contains "a"; expected a plain decimal such as -25.50'],
    ['10€', 'contains "€"; expected a plain decimal such as -25.50'],
    ['1.5-', 'contains "-"; expected a plain decimal such as -25.50'],
    ['١٢', 'is not a number; expected a plain decimal such as -25.50'],
  ])('rejects %j: %s', (text, problem) => {
    expect(problemOf(text)).toBe(problem);
  });
});

describe('formatMinor', () => {
  it.each([
    [32600n, '326.00'],
    [-50n, '-0.50'],
    [0n, '0.00'],
    [-0n, '0.00'],
    [1n, '0.01'],
    [-1n, '-0.01'],
    [10n, '0.10'],
    [-2550n, '-25.50'],
    [MAX_MINOR, '99999999999999.99'],
    [MIN_MINOR, '-99999999999999.99'],
    [123456789012345678901234n, '1234567890123456789012.34'],
  ])('formats %d as %j', (minor, text) => {
    expect(formatMinor(minor)).toBe(text);
  });

  it('round-trips with parseAmount', () => {
    for (const text of ['0.00', '-0.01', '12.34', '-99999999999999.99', '100.00']) {
      expect(formatMinor(minorOf(text))).toBe(text);
    }
  });
});

describe('DECIMAL(16,2) constants', () => {
  it('describe DECIMAL(16,2)', () => {
    expect([DECIMAL_PRECISION, DECIMAL_SCALE]).toEqual([16, 2]);
    expect(MAX_MINOR).toBe(10n ** 16n - 1n);
    expect(MIN_MINOR).toBe(-MAX_MINOR);
  });
});
