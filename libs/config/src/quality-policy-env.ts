import { type BreakerLimits, checkBreakerLimits, checkGateLimits, DEFAULT_QUALITY_POLICY, type GateLimits } from '@ledgerlake/domain';
import { z } from 'zod';
import { envExactRate, envPositiveInt } from './env-values';

const { gate, breaker } = DEFAULT_QUALITY_POLICY;

/*
 * The quality policy's environment (the domain's `QualityPolicy`, docs/contract/publishing.md,
 * "Promotion gate" and docs/contract/rules.md, "Circuit breaker"): the promotion function reads the
 * gate's keys, validation the breaker's, the local command both. Unset, each is the domain's
 * `DEFAULT_QUALITY_POLICY`. The names are the deployed ones, kept as they are; what each one means
 * is below: the gate's `MAX_` values are exclusive (a run AT the limit is blocked) and the breaker's
 * `MIN_` values must be exceeded (a window AT the limit stays closed).
 */

/** The promotion gate's keys. */
export const GateEnvSchema = z.object({
  /** Promote a fresh file's run only if quarantined / input rows is BELOW this decimal rate (default 0.05). */
  GATE_MAX_QUARANTINE_RATE: envExactRate().default(gate.promoteBelowQuarantineRate),
  /** …and it condemned FEWER rows than this (default 100). */
  GATE_MAX_CONDEMNED_ROWS: envPositiveInt().default(gate.promoteBelowCondemnedRows),
});

/** The parsed gate keys. */
export type GateEnv = z.infer<typeof GateEnvSchema>;

/** The circuit breaker's keys. */
export const BreakerEnvSchema = z.object({
  /** The window, minutes (default 60). */
  BREAKER_WINDOW_MINUTES: envPositiveInt().default(breaker.windowMinutes),
  /** The breaker trips when one code failed MORE than this many rows in the window (default 100)… */
  BREAKER_MIN_FAILED_ROWS: envPositiveInt().default(breaker.tripAboveFailedRows),
  /** …and those rows are MORE than this decimal share of the rows processed in the window (default 0.05). */
  BREAKER_MIN_FAILED_RATE: envExactRate().default(breaker.tripAboveFailedRate),
});

/** The parsed breaker keys. */
export type BreakerEnv = z.infer<typeof BreakerEnvSchema>;

/** The domain's gate limits from the parsed keys. */
export function gateLimitsFromEnv(env: GateEnv): GateLimits {
  return checkGateLimits({ promoteBelowQuarantineRate: env.GATE_MAX_QUARANTINE_RATE, promoteBelowCondemnedRows: env.GATE_MAX_CONDEMNED_ROWS });
}

/** The domain's breaker limits from the parsed keys. */
export function breakerLimitsFromEnv(env: BreakerEnv): BreakerLimits {
  return checkBreakerLimits({
    windowMinutes: env.BREAKER_WINDOW_MINUTES,
    tripAboveFailedRows: env.BREAKER_MIN_FAILED_ROWS,
    tripAboveFailedRate: env.BREAKER_MIN_FAILED_RATE,
  });
}
