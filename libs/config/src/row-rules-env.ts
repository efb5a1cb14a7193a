import {
  accountIdPatternProblem,
  CurrencyCodeSchema,
  DEFAULT_ROW_RULE_SETTINGS,
  type RowRuleSettings,
  txDateMinProblem,
} from '@ledgerlake/domain';
import { z } from 'zod';
import { envList, envNonNegativeInt, envPositiveInt, envString } from './env-values';

const defaults = DEFAULT_ROW_RULE_SETTINGS;

/**
 * The row rules' environment: every function that validates rows (validation, the partition
 * writer, the local command) extends this one schema, so that they read the same keys with the
 * same defaults — and a deploy gives them the same values.
 */
export const RowRulesEnvSchema = z.object({
  /** ISO-4217 codes accepted in `Currency` (comma-separated, case-sensitive); default the contract's list. */
  CURRENCY_ALLOWLIST: envList()
    .pipe(z.array(CurrencyCodeSchema))
    .default([...defaults.currencies]),
  /** The pattern a whole `CustomerID` must match (JavaScript regular expression, flag `u`), taken exactly as written. */
  ACCOUNT_ID_PATTERN: z
    .string({ error: 'expected a regular expression' })
    .check((ctx) => {
      const problem = accountIdPatternProblem(ctx.value);
      if (problem !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: `expected a regular expression with the u flag; it ${problem}` });
    })
    .default(defaults.accountIdPattern),
  /** The longest `CustomerID`, in characters. */
  ACCOUNT_ID_MAX_LENGTH: envPositiveInt().default(defaults.accountIdMaxLength),
  /** The first plausible transaction day, `YYYY-MM-DD` (UTC). */
  TX_DATE_MIN: envString()
    .check((ctx) => {
      const problem = txDateMinProblem(ctx.value);
      if (problem !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
    })
    .default(defaults.txDateMin),
  /** How many days after the run's start a transaction may be dated. */
  TX_DATE_MAX_FUTURE_DAYS: envNonNegativeInt().default(defaults.txDateMaxFutureDays),
});

/** The parsed row-rule variables. */
export type RowRulesEnv = z.infer<typeof RowRulesEnvSchema>;

/** The domain's row-rule settings from the parsed variables. */
export function rowRuleSettingsFromEnv(env: RowRulesEnv): RowRuleSettings {
  return {
    currencies: env.CURRENCY_ALLOWLIST,
    accountIdPattern: env.ACCOUNT_ID_PATTERN,
    accountIdMaxLength: env.ACCOUNT_ID_MAX_LENGTH,
    txDateMin: env.TX_DATE_MIN,
    txDateMaxFutureDays: env.TX_DATE_MAX_FUTURE_DAYS,
  };
}
