import { type ExactRate, parseRate, RATE_MAX_DECIMALS } from '@ledgerlake/domain';
import { z } from 'zod';

/**
 * zod schemas for the usual shapes of an environment variable.
 *
 * Each one starts from a string (environment values are always strings) and carries an
 * "expected ..." message that describes the shape, never the value: `parseConfig` puts these
 * messages into its error, and a value may be a secret.
 */

/** A non-empty string (surrounding whitespace trimmed). */
export function envString(): z.ZodType<string, string> {
  const expected = 'expected a non-empty string';
  return z.string({ error: expected }).trim().min(1, { error: expected });
}

/** A comma-separated list such as `a, b,c` → `['a', 'b', 'c']`; blank items are dropped, at least one is required. */
export function envList(): z.ZodType<string[], string> {
  const expected = 'expected a comma-separated list of at least one value';
  return z
    .string({ error: expected })
    .transform((raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(z.string()).min(1, { error: expected }));
}

/** A positive safe integer written in decimal digits (`1`, `250`), → number; `0`, `-1`, `1.5`, `1e3` are rejected. */
export function envPositiveInt(): z.ZodType<number, string> {
  const expected = 'expected a positive integer';
  return z
    .string({ error: expected })
    .trim()
    .regex(/^[1-9][0-9]*$/, { error: expected })
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, { error: expected }));
}

/** A non-negative safe integer written in decimal digits (`0`, `1`, `30`), → number; `-1`, `1.5`, `01` are rejected. */
export function envNonNegativeInt(): z.ZodType<number, string> {
  const expected = 'expected a whole number, 0 or more';
  return z
    .string({ error: expected })
    .trim()
    .regex(/^(0|[1-9][0-9]*)$/, { error: expected })
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, { error: expected }));
}

/** Exactly `true` or `false` → boolean; anything else (`1`, `yes`, `TRUE`) is rejected so a typo cannot flip a flag. */
export function envBoolean(): z.ZodType<boolean, string> {
  const expected = "expected 'true' or 'false'";
  return z.enum(['true', 'false'], { error: expected }).transform((raw) => raw === 'true');
}

/** One of the given literal values, e.g. `envEnum(['DEBUG', 'INFO', 'WARN', 'ERROR'])`. */
export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
): z.ZodType<T[number], string> {
  const expected = `expected one of ${values.map((value) => `'${value}'`).join(', ')}`;
  return z.enum(values, { error: expected });
}

/** An S3 bucket name (3-63 lowercase letters, digits, dots, hyphens). */
export function envBucket(): z.ZodType<string, string> {
  const expected = 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)';
  return envString().pipe(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: expected }));
}

/** A rate written as a decimal between 0 and 1 with at most 9 decimals (`0.05` for 5 %) → the exact fraction (the domain's `parseRate`). */
export function envExactRate(): z.ZodType<ExactRate, string> {
  const expected = `expected a decimal rate between 0 and 1 with at most ${RATE_MAX_DECIMALS} decimals, e.g. 0.05`;
  return z.string({ error: expected }).transform((raw, ctx) => {
    try {
      return parseRate(raw);
    } catch {
      ctx.issues.push({ code: 'custom', input: raw, message: expected });
      return z.NEVER;
    }
  });
}
