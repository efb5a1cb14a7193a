import { DEFAULT_QUALITY_POLICY, parseRate } from '@ledgerlake/domain';
import { evaluateGate, formatPercent } from './gate';

const DEFAULT_GATE = DEFAULT_QUALITY_POLICY.gate;

const counts = (input_rows: number, quarantined_rows: number, condemned_rows = 0) => ({
  input_rows,
  valid_rows: input_rows - quarantined_rows - condemned_rows,
  quarantined_rows,
  condemned_rows,
});

describe('evaluateGate', () => {
  it('promotes a run below every limit', () => {
    expect(evaluateGate({ counts: counts(1000, 49, 99), critical_errors: [], mode: 'ingest' }, DEFAULT_GATE)).toEqual({
      decision: 'PROMOTE',
      reasons: [],
      // Every condition with what was measured, for the run's report.
      checks: [
        { check: 'quarantine rate', measured: '4.90 % (49 of 1000 rows)', limit: 'below 5.00 %', passed: true },
        { check: 'condemned rows', measured: '99', limit: 'below 100', passed: true },
        { check: 'critical errors', measured: '0', limit: 'none', passed: true },
      ],
    });
  });

  it('blocks a quarantine rate of exactly the limit (the rate must be below it)', () => {
    const verdict = evaluateGate({ counts: counts(1000, 50), critical_errors: [], mode: 'ingest' }, DEFAULT_GATE);

    expect(verdict).toMatchObject({
      decision: 'BLOCKED',
      reasons: ['quarantine rate 5.00 % (50 of 1000 rows) is not below the limit of 5.00 %'],
    });
    expect(verdict.checks[0]).toEqual({ check: 'quarantine rate', measured: '5.00 % (50 of 1000 rows)', limit: 'below 5.00 %', passed: false });
  });

  it('compares the rate exactly, where a float would round (1 in 20,000,001 rows against 0.00000005)', () => {
    const limits = { ...DEFAULT_GATE, promoteBelowQuarantineRate: parseRate('0.00000005') };

    expect(evaluateGate({ counts: counts(20_000_001, 1), critical_errors: [], mode: 'ingest' }, limits).decision).toBe('PROMOTE');
    expect(evaluateGate({ counts: counts(20_000_000, 1), critical_errors: [], mode: 'ingest' }, limits).decision).toBe('BLOCKED');
  });

  it('blocks 100 condemned rows', () => {
    const verdict = evaluateGate({ counts: counts(10_000, 0, 100), critical_errors: [], mode: 'ingest' }, DEFAULT_GATE);

    expect(verdict.reasons).toEqual(['100 condemned rows is not below the limit of 100']);
  });

  it('blocks on every critical error and names each, with the other failed conditions', () => {
    const verdict = evaluateGate(
      { counts: counts(10, 5, 0), critical_errors: ['counts do not reconcile', 'amounts do not reconcile'], mode: 'ingest' },
      DEFAULT_GATE,
    );

    expect(verdict.decision).toBe('BLOCKED');
    expect(verdict.reasons).toEqual([
      'quarantine rate 50.00 % (5 of 10 rows) is not below the limit of 5.00 %',
      'critical error: counts do not reconcile',
      'critical error: amounts do not reconcile',
    ]);
  });

  it('promotes an empty run (no rows, no rate)', () => {
    expect(evaluateGate({ counts: counts(0, 0), critical_errors: [], mode: 'ingest' }, DEFAULT_GATE).decision).toBe('PROMOTE');
  });

  it('applies the rate and condemned limits to a backfill like any fresh file', () => {
    const verdict = evaluateGate({ counts: counts(10, 5, 100), critical_errors: [], mode: 'backfill' }, DEFAULT_GATE);

    expect(verdict.reasons).toHaveLength(2);
  });

  it('promotes a retry run whatever its quarantine rate and condemned rows: the rows that pass are published', () => {
    const verdict = evaluateGate({ counts: counts(6, 5, 100), critical_errors: [], mode: 'retry' }, DEFAULT_GATE);

    expect(verdict).toMatchObject({ decision: 'PROMOTE', reasons: [] });
    // The row limits are not applied to it, and its report says so.
    expect(verdict.checks.map((check) => check.passed)).toEqual([null, null, true]);
  });

  it('still blocks a retry run on a critical error, and names only that', () => {
    const verdict = evaluateGate({ counts: counts(6, 5), critical_errors: ['counts do not reconcile'], mode: 'retry' }, DEFAULT_GATE);

    expect(verdict).toMatchObject({ decision: 'BLOCKED', reasons: ['critical error: counts do not reconcile'] });
    expect(verdict.checks[2]).toEqual({ check: 'critical errors', measured: '1', limit: 'none', passed: false });
  });
});

describe('formatPercent', () => {
  it('rounds half up to two decimals', () => {
    expect(formatPercent(1n, 3n)).toBe('33.33 %');
    expect(formatPercent(2n, 3n)).toBe('66.67 %');
    expect(formatPercent(1n, 80n)).toBe('1.25 %');
    expect(formatPercent(0n, 0n)).toBe('0.00 %');
  });
});
