import {
  BreakerEnvSchema,
  breakerLimitsFromEnv,
  GateEnvSchema,
  gateLimitsFromEnv,
  parseConfig,
  RowRulesEnvSchema,
  rowRuleSettingsFromEnv,
} from '@ledgerlake/config';
import { ConfigError } from '@ledgerlake/domain';
import { LoopPreventionConfigSchema, settingsFromConfig } from '@ledgerlake/loop-prevention';
import type { ValidationSettings } from '@ledgerlake/validation';
import { CliError, EXIT } from './cli-error';
import type { LocalWiring } from './local-lake';

/**
 * The settings the functions read from their environment in the cloud, which the local command
 * reads from its own: the row rules (validation's and the partition writer's, read once and given
 * to both), the breaker, the gate, loop prevention.
 */
const LocalSettingsSchema = RowRulesEnvSchema.extend(BreakerEnvSchema.shape)
  .extend(GateEnvSchema.shape)
  .extend(LoopPreventionConfigSchema.pick({ MAX_ATTEMPTS: true, CLAIM_TIMEOUT_MINUTES: true }).shape);

/**
 * The local runs' wiring with the functions' settings taken from the command's environment, as
 * the cloud takes them from each function's: `CURRENCY_ALLOWLIST`, `ACCOUNT_ID_PATTERN`,
 * `ACCOUNT_ID_MAX_LENGTH`, `TX_DATE_MIN`, `TX_DATE_MAX_FUTURE_DAYS` (validation and the partition
 * writer), `BREAKER_WINDOW_MINUTES`, `BREAKER_MIN_FAILED_ROWS`, `BREAKER_MIN_FAILED_RATE`
 * (validation), `GATE_MAX_QUARANTINE_RATE`, `GATE_MAX_CONDEMNED_ROWS` (promotion), `MAX_ATTEMPTS`, `CLAIM_TIMEOUT_MINUTES` (loop prevention);
 * unset keys keep the contract's defaults (the gate's and the breaker's: the domain's quality policy). What `base`
 * sets (tests) wins. A malformed value is one sentence naming the keys (exit 2).
 */
export function wiringFromEnv(env: NodeJS.ProcessEnv, base: LocalWiring = {}): LocalWiring {
  let config;
  try {
    config = parseConfig(LocalSettingsSchema, env, 'ledgerlake');
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`The environment's LedgerLake settings are wrong: ${error.message.replace(/^ledgerlake: invalid configuration, /, '')}.`, EXIT.usage);
    throw error;
  }
  const validation: ValidationSettings = { rules: rowRuleSettingsFromEnv(config), breaker: breakerLimitsFromEnv(config) };
  return { validation, thresholds: gateLimitsFromEnv(config), loopPrevention: settingsFromConfig(config), ...base };
}
