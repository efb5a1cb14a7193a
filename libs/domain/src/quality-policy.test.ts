import {
  breakerTrips,
  checkBreakerLimits,
  checkGateLimits,
  condemnedRowsPass,
  DEFAULT_QUALITY_POLICY,
  parseRate,
  quarantineRatePasses,
  shareExceeds,
  shareIsBelow,
} from './quality-policy';

const { gate, breaker } = DEFAULT_QUALITY_POLICY;
/** 2^53 + 1: not a double; as a number it would round to 2^53. */
const HUGE = 2n ** 53n + 1n;

describe('DEFAULT_QUALITY_POLICY', () => {
  it('is the contract: promote below 5 % and 100 condemned rows; trip above 100 rows and 5 % in 60 minutes', () => {
    expect(DEFAULT_QUALITY_POLICY).toEqual({
      gate: { promoteBelowQuarantineRate: { numerator: 5n, denominator: 100n }, promoteBelowCondemnedRows: 100 },
      breaker: { windowMinutes: 60, tripAboveFailedRows: 100, tripAboveFailedRate: { numerator: 5n, denominator: 100n } },
    });
  });
});

describe('parseRate', () => {
  it.each([
    ['0.05', 5n, 100n],
    ['0', 0n, 1n],
    ['1', 1n, 1n],
    ['1.000', 1000n, 1000n],
    [' 0.5 ', 5n, 10n],
    ['0.000000001', 1n, 1_000_000_000n],
  ])('parses %p exactly', (text, numerator, denominator) => {
    expect(parseRate(text)).toEqual({ numerator, denominator });
  });

  it.each(['5%', '.05', '0.', '2', '1.5', '0.1234567890', '1.000000001', '-0.1', '0.0000000001', '5e-2', '', '0,05'])('rejects %p', (text) => {
    expect(() => parseRate(text)).toThrow(RangeError);
  });
});

describe('shareExceeds / shareIsBelow', () => {
  const rate = parseRate('0.05');

  it('at exactly the rate a share neither exceeds it nor is below it', () => {
    expect(shareExceeds(5, 100, rate)).toBe(false);
    expect(shareIsBelow(5, 100, rate)).toBe(false);
  });

  it('one row either side of the rate', () => {
    expect(shareExceeds(6, 100, rate)).toBe(true);
    expect(shareIsBelow(4, 100, rate)).toBe(true);
  });

  it('compares exactly where a float product does not: 29 of 100 is exactly 0.29 (0.29 * 100 is 28.999… in floats)', () => {
    expect(0.29 * 100 < 29).toBe(true);
    expect(shareExceeds(29, 100, parseRate('0.29'))).toBe(false);
    expect(shareIsBelow(29, 100, parseRate('0.29'))).toBe(false);
  });

  it('compares counts beyond 2^53 exactly', () => {
    // HUGE of 20 × HUGE is exactly 5 %; one row more exceeds it (as doubles both would read 2^53).
    expect(shareExceeds(HUGE, 20n * HUGE, rate)).toBe(false);
    expect(shareExceeds(HUGE + 1n, 20n * HUGE, rate)).toBe(true);
    expect(shareIsBelow(HUGE - 1n, 20n * HUGE, rate)).toBe(true);
  });

  it('a part of a whole of 0 exceeds any rate unless it is 0 too', () => {
    expect(shareExceeds(1, 0, parseRate('1'))).toBe(true);
    expect(shareExceeds(0, 0, parseRate('0'))).toBe(false);
    expect(shareIsBelow(0, 0, rate)).toBe(false);
  });

  it('refuses counts that are not whole rows', () => {
    expect(() => shareExceeds(1.5, 10, rate)).toThrow(RangeError);
    expect(() => shareExceeds(-1, 10, rate)).toThrow(/must not be negative/);
    expect(() => shareIsBelow(1, 2 ** 53, rate)).toThrow(/whole number/);
  });
});

describe('the gate: promote only below the limits', () => {
  it('the rate: 49 of 1000 passes, exactly 50 of 1000 (5 %) does not', () => {
    expect(quarantineRatePasses(49, 1000, gate)).toBe(true);
    expect(quarantineRatePasses(50, 1000, gate)).toBe(false);
  });

  it('a run with no input rows passes the rate (it has none), even at a limit of 0', () => {
    expect(quarantineRatePasses(0, 0, gate)).toBe(true);
    expect(quarantineRatePasses(0, 0, { ...gate, promoteBelowQuarantineRate: parseRate('0') })).toBe(true);
    expect(quarantineRatePasses(0, 1, { ...gate, promoteBelowQuarantineRate: parseRate('0') })).toBe(false);
  });

  it('a limit of 1 passes everything but a fully quarantined run', () => {
    const open = { ...gate, promoteBelowQuarantineRate: parseRate('1') };
    expect(quarantineRatePasses(HUGE - 1n, HUGE, open)).toBe(true);
    expect(quarantineRatePasses(HUGE, HUGE, open)).toBe(false);
  });

  it('condemned rows: 99 pass, exactly 100 do not', () => {
    expect(condemnedRowsPass(99, gate)).toBe(true);
    expect(condemnedRowsPass(100, gate)).toBe(false);
    expect(condemnedRowsPass(0, gate)).toBe(true);
    expect(condemnedRowsPass(HUGE, { ...gate, promoteBelowCondemnedRows: Number.MAX_SAFE_INTEGER })).toBe(false);
  });
});

describe('the breaker: trip only above both limits', () => {
  it('exactly 100 failed rows stays closed, whatever the rate; 101 of 2000 trips', () => {
    expect(breakerTrips(100, 200, breaker)).toBe(false);
    expect(breakerTrips(101, 2000, breaker)).toBe(true);
  });

  it('exactly 5 % of the processed rows stays closed; one row more trips', () => {
    expect(breakerTrips(500, 10_000, breaker)).toBe(false);
    expect(breakerTrips(501, 10_000, breaker)).toBe(true);
  });

  it('no failed rows never trip, even with limits of 0', () => {
    const zero = { windowMinutes: 60, tripAboveFailedRows: 0, tripAboveFailedRate: parseRate('0') };
    expect(breakerTrips(0, 0, zero)).toBe(false);
    expect(breakerTrips(0, 1000, zero)).toBe(false);
    expect(breakerTrips(1, 1000, zero)).toBe(true);
  });

  it('the rate of a month-end file: 150 failed of 1.5 million rows (0.01 %) stays closed', () => {
    expect(breakerTrips(150, 1_500_000, breaker)).toBe(false);
  });

  it('counts beyond 2^53', () => {
    expect(breakerTrips(HUGE, 20n * HUGE, breaker)).toBe(false);
    expect(breakerTrips(HUGE + 1n, 20n * HUGE, breaker)).toBe(true);
  });
});

describe('checkGateLimits / checkBreakerLimits', () => {
  it('accepts the defaults and returns them', () => {
    expect(checkGateLimits(gate)).toBe(gate);
    expect(checkBreakerLimits(breaker)).toBe(breaker);
  });

  it('names every bad limit', () => {
    expect(() => checkGateLimits({ promoteBelowQuarantineRate: { numerator: 3n, denominator: 2n }, promoteBelowCondemnedRows: 0 })).toThrow(
      /gate limits: promoteBelowQuarantineRate must be within 0..1, got 3\/2; promoteBelowCondemnedRows must be an integer of 1 or more, got 0/,
    );
    expect(() => checkBreakerLimits({ windowMinutes: 1.5, tripAboveFailedRows: -1, tripAboveFailedRate: { numerator: 1n, denominator: 0n } })).toThrow(
      /breaker limits: windowMinutes .*; tripAboveFailedRows .*; tripAboveFailedRate must have a positive denominator/,
    );
  });
});
