import { DEFAULT_QUALITY_POLICY } from '@ledgerlake/domain';
import { CliError, EXIT } from './cli-error';
import { wiringFromEnv } from './local-settings';

describe('wiringFromEnv: the gate and the breaker', () => {
  it('are the quality policy when the environment sets nothing', () => {
    const wiring = wiringFromEnv({});

    expect(wiring.thresholds).toEqual(DEFAULT_QUALITY_POLICY.gate);
    expect(wiring.validation?.breaker).toEqual(DEFAULT_QUALITY_POLICY.breaker);
  });

  it('reads the deployed names into exact limits', () => {
    const wiring = wiringFromEnv({
      GATE_MAX_QUARANTINE_RATE: '0.29',
      GATE_MAX_CONDEMNED_ROWS: '7',
      BREAKER_WINDOW_MINUTES: '15',
      BREAKER_MIN_FAILED_ROWS: '2',
      BREAKER_MIN_FAILED_RATE: '0.1',
    });

    expect(wiring.thresholds).toEqual({ promoteBelowQuarantineRate: { numerator: 29n, denominator: 100n }, promoteBelowCondemnedRows: 7 });
    expect(wiring.validation?.breaker).toEqual({ windowMinutes: 15, tripAboveFailedRows: 2, tripAboveFailedRate: { numerator: 1n, denominator: 10n } });
  });

  it('refuses a rate that is not an exact decimal, naming the key (exit 2)', () => {
    const read = () => wiringFromEnv({ BREAKER_MIN_FAILED_RATE: '5%', GATE_MAX_QUARANTINE_RATE: '0.05' });

    expect(read).toThrow(CliError);
    expect(read).toThrow(
      "The environment's LedgerLake settings are wrong: 1 bad key: BREAKER_MIN_FAILED_RATE (invalid, expected a decimal rate between 0 and 1 with at most 9 decimals, e.g. 0.05).",
    );
    expect(() => wiringFromEnv({ GATE_MAX_QUARANTINE_RATE: '1.5' })).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
  });
});
