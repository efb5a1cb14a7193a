import { ConfigError, DEFAULT_QUALITY_POLICY } from '@ledgerlake/domain';
import { z } from 'zod';
import { envExactRate } from './env-values';
import { parseConfig } from './parse-config';
import { BreakerEnvSchema, breakerLimitsFromEnv, GateEnvSchema, gateLimitsFromEnv } from './quality-policy-env';

const gate = (env: Record<string, string>) => gateLimitsFromEnv(parseConfig(GateEnvSchema, env, 'test'));
const breaker = (env: Record<string, string>) => breakerLimitsFromEnv(parseConfig(BreakerEnvSchema, env, 'test'));

describe('envExactRate', () => {
  it.each([
    ['0.05', 5n, 100n],
    [' 0.1 ', 1n, 10n],
    ['0', 0n, 1n],
    ['1', 1n, 1n],
  ])('parses %p exactly', (raw, numerator, denominator) => {
    expect(envExactRate().parse(raw)).toEqual({ numerator, denominator });
  });

  it.each([['5%'], ['1.5'], ['0.0000000001'], ['.05'], [''], [undefined]])('rejects %p, saying what it expected', (raw) => {
    const result = z.object({ RATE: envExactRate() }).safeParse({ RATE: raw });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^expected a decimal rate between 0 and 1 with at most 9 decimals/);
  });
});

describe('GateEnvSchema', () => {
  it('is the domain defaults when nothing is set', () => {
    expect(gate({})).toEqual(DEFAULT_QUALITY_POLICY.gate);
  });

  it('reads both keys', () => {
    expect(gate({ GATE_MAX_QUARANTINE_RATE: '0.125', GATE_MAX_CONDEMNED_ROWS: '7' })).toEqual({
      promoteBelowQuarantineRate: { numerator: 125n, denominator: 1000n },
      promoteBelowCondemnedRows: 7,
    });
  });

  it('names every bad key, without its value', () => {
    const parse = () => gate({ GATE_MAX_QUARANTINE_RATE: '5 percent', GATE_MAX_CONDEMNED_ROWS: '0' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/2 bad keys: GATE_MAX_QUARANTINE_RATE .*GATE_MAX_CONDEMNED_ROWS/);
    expect(parse).not.toThrow(/percent/);
  });
});

describe('BreakerEnvSchema', () => {
  it('is the domain defaults when nothing is set', () => {
    expect(breaker({})).toEqual(DEFAULT_QUALITY_POLICY.breaker);
  });

  it('reads every key', () => {
    expect(breaker({ BREAKER_WINDOW_MINUTES: '30', BREAKER_MIN_FAILED_ROWS: '500', BREAKER_MIN_FAILED_RATE: '0.1' })).toEqual({
      windowMinutes: 30,
      tripAboveFailedRows: 500,
      tripAboveFailedRate: { numerator: 1n, denominator: 10n },
    });
  });

  it('names every bad key', () => {
    expect(() => breaker({ BREAKER_WINDOW_MINUTES: '0', BREAKER_MIN_FAILED_ROWS: '1.5', BREAKER_MIN_FAILED_RATE: '0.05%' })).toThrow(
      /3 bad keys: BREAKER_WINDOW_MINUTES .*BREAKER_MIN_FAILED_ROWS .*BREAKER_MIN_FAILED_RATE/,
    );
  });
});
