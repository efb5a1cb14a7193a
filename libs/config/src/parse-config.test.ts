import { ConfigError } from '@ledgerlake/domain';
import { z } from 'zod';
import { envBoolean, envEnum, envList, envPositiveInt, envString } from './env-values';
import { parseConfig } from './parse-config';

const SECRET = 'sup3r-s3cret-webhook-token';

const schema = z.object({
  LAKE_BUCKET: envString(),
  DATASETS: envList(),
  BATCH_SIZE: envPositiveInt(),
  DRY_RUN: envBoolean().default(false),
  LOG_LEVEL: envEnum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  SLACK_WEBHOOK_URL: z.url({ error: 'expected a URL' }).optional(),
});

const validEnv = {
  LAKE_BUCKET: 'ledgerlake-silver',
  DATASETS: 'mortgages, cards',
  BATCH_SIZE: '500',
  LOG_LEVEL: 'INFO',
  PATH: '/usr/bin',
};

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseConfig', () => {
  it('returns the typed, converted configuration and ignores keys the schema does not name', () => {
    const config = parseConfig(schema, validEnv, 'silver-writer');

    expect(config).toEqual({
      LAKE_BUCKET: 'ledgerlake-silver',
      DATASETS: ['mortgages', 'cards'],
      BATCH_SIZE: 500,
      DRY_RUN: false,
      LOG_LEVEL: 'INFO',
    });
  });

  it('treats an empty value as unset, so defaults and optionals apply', () => {
    const config = parseConfig(schema, { ...validEnv, DRY_RUN: '', SLACK_WEBHOOK_URL: '' }, 'silver-writer');

    expect(config.DRY_RUN).toBe(false);
    expect(config.SLACK_WEBHOOK_URL).toBeUndefined();
  });

  it('throws a ConfigError naming every bad and missing key at once, starting with the component', () => {
    const error = configErrorOf(() =>
      parseConfig(schema, { DATASETS: ' , ', BATCH_SIZE: '0', DRY_RUN: 'yes', LOG_LEVEL: 'LOUD' }, 'silver-writer'),
    );

    expect(error.name).toBe('ConfigError');
    expect(error.retryable).toBe(false);
    expect(error.message.startsWith('silver-writer: invalid configuration, 5 bad keys:')).toBe(true);
    expect(error.issues).toEqual([
      { key: 'LAKE_BUCKET', problem: 'missing, expected a non-empty string' },
      { key: 'DATASETS', problem: 'invalid, expected a comma-separated list of at least one value' },
      { key: 'BATCH_SIZE', problem: 'invalid, expected a positive integer' },
      { key: 'DRY_RUN', problem: "invalid, expected 'true' or 'false'" },
      { key: 'LOG_LEVEL', problem: "invalid, expected one of 'DEBUG', 'INFO', 'WARN', 'ERROR'" },
    ]);
    for (const { key, problem } of error.issues) expect(error.message).toContain(`${key} (${problem})`);
  });

  it('never puts a value into the message, even one a custom refinement quotes', () => {
    const leaky = z.object({
      SLACK_WEBHOOK_URL: envString().refine((value) => value.startsWith('https://'), {
        error: (issue) => `expected https, got ${String(issue.input)}`,
      }),
      TOKEN: z.url({ error: 'expected a URL' }),
    });

    const error = configErrorOf(() =>
      parseConfig(leaky, { SLACK_WEBHOOK_URL: SECRET, TOKEN: `x${SECRET}` }, 'alert-consumer'),
    );

    expect(error.issues.map((issue) => issue.key)).toEqual(['SLACK_WEBHOOK_URL', 'TOKEN']);
    expect(error.message).toContain('<redacted>');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
  });

  it('describes a missing plain zod string by its expected type, without zod noise', () => {
    const error = configErrorOf(() => parseConfig(z.object({ REGION: z.string() }), {}, 'gold-builder'));

    expect(error.issues).toEqual([{ key: 'REGION', problem: 'missing, expected string' }]);
    expect(error.message).toBe('gold-builder: invalid configuration, 1 bad key: REGION (missing, expected string)');
  });
});
