import { inTxDateWindow, txDateMinProblem, txDateWindow } from './tx-date-window';

describe('txDateWindow', () => {
  it('runs from the first day at midnight UTC to the run start plus the future days, both included', () => {
    const window = txDateWindow('1970-01-01', 1, '2024-06-01T10:00:00.123Z');
    expect(window.minMicros).toBe(0n);
    expect(window.maxMicros).toBe(1_717_322_400_123_000n);
    expect(window.problem).toBe(
      'is outside the plausibility window 1970-01-01T00:00:00Z to 2024-06-02T10:00:00.123Z (not before 1970-01-01, at most 1 day after the run started)',
    );
    expect([-1n, 0n, window.maxMicros, window.maxMicros + 1n].map((micros) => inTxDateWindow(micros, window))).toEqual([false, true, true, false]);
  });

  it('says days in the plural', () => {
    expect(txDateWindow('1900-01-01', 30, '2024-06-01T00:00:00Z').problem).toMatch(/\(not before 1900-01-01, at most 30 days after the run started\)$/);
  });

  it('ends at 9999-12-31 however many days are allowed', () => {
    expect(txDateWindow('1970-01-01', 5_000_000, '2024-06-01T00:00:00Z').problem).toMatch(/ to 9999-12-31T23:59:59.999999Z /);
  });

  it('refuses settings configuration refuses, and an unreadable run start', () => {
    expect(() => txDateWindow('1970-1-1', 1, '2024-06-01T00:00:00Z')).toThrow(/first day "1970-1-1": expected a date YYYY-MM-DD/);
    expect(() => txDateWindow('1970-01-01', -1, '2024-06-01T00:00:00Z')).toThrow(/-1 future days/);
    expect(() => txDateWindow('1970-01-01', 0.5, '2024-06-01T00:00:00Z')).toThrow(/0.5 future days/);
    expect(() => txDateWindow('1970-01-01', 1, 'soon')).toThrow(/run start "soon" is not an instant/);
  });
});

describe('txDateMinProblem', () => {
  it('accepts a real date and names what is wrong otherwise', () => {
    expect(txDateMinProblem('2000-02-29')).toBeUndefined();
    expect(txDateMinProblem('1970-01-01T00:00:00Z')).toBe('expected a date YYYY-MM-DD');
    expect(txDateMinProblem('2023-02-29')).toBe('expected a real date YYYY-MM-DD (2023-02-29 has day 29 but 2023-02 has 28 days)');
  });
});
