/**
 * The configurable part of row validation (docs/contract/rules.md, "Validation", with its value rules): the currency
 * allowlist, the account id pattern and length, and the transaction date window. Every function
 * that validates rows (validation, and the partition writer's re-check) is given the same
 * `RowRuleSettings` and compiles them with the run's start time, so that both draw every line in
 * the same place.
 */
import { accountIdRule, type AccountIdRule, DEFAULT_ACCOUNT_ID_MAX_LENGTH, DEFAULT_ACCOUNT_ID_PATTERN } from './account-id';
import { DEFAULT_CURRENCIES } from './currency';
import type { DatasetSpec } from './dataset-spec';
import { DEFAULT_TX_DATE_MAX_FUTURE_DAYS, DEFAULT_TX_DATE_MIN, txDateWindow, type TxDateWindow } from './tx-date-window';

/** The row rules as configured (plain data: they travel to worker threads and into tests as they are). */
export interface RowRuleSettings {
  /** The `Currency` allowlist (case-sensitive ISO-4217 codes). */
  readonly currencies: readonly string[];
  /** The pattern a whole `CustomerID` must match (JavaScript regular expression, flag `u`), after the safety rules. */
  readonly accountIdPattern: string;
  /** The longest `CustomerID`, in characters. */
  readonly accountIdMaxLength: number;
  /** The first plausible transaction day, `YYYY-MM-DD` (UTC). */
  readonly txDateMin: string;
  /** How many days after the run's start a transaction may be dated. */
  readonly txDateMaxFutureDays: number;
}

/** The defaults: the contract's currencies, `[^,"]+` up to 64 characters, 1970-01-01 to the run's start + 1 day. */
export const DEFAULT_ROW_RULE_SETTINGS: RowRuleSettings = {
  currencies: DEFAULT_CURRENCIES,
  accountIdPattern: DEFAULT_ACCOUNT_ID_PATTERN,
  accountIdMaxLength: DEFAULT_ACCOUNT_ID_MAX_LENGTH,
  txDateMin: DEFAULT_TX_DATE_MIN,
  txDateMaxFutureDays: DEFAULT_TX_DATE_MAX_FUTURE_DAYS,
};

/** The row rules of one run, compiled (`rowRules`), as `validateRow` takes them. */
export interface RowRules {
  /** The run's dataset's columns: what a rejected row's detail names each field by. */
  readonly columns: DatasetSpec['columns'];
  readonly currencies: ReadonlySet<string>;
  readonly accountId: AccountIdRule;
  readonly txDate: TxDateWindow;
}

/**
 * Compiles the settings for the run of `dataset` that started at `runStartedAt` (`RunContext.started_at`).
 * Throws a RangeError on settings configuration should have refused (a pattern that does not
 * compile, a bad date).
 */
export function rowRules(settings: RowRuleSettings, runStartedAt: string, dataset: DatasetSpec): RowRules {
  return {
    columns: dataset.columns,
    currencies: new Set(settings.currencies),
    accountId: accountIdRule(settings.accountIdPattern, settings.accountIdMaxLength),
    txDate: txDateWindow(settings.txDateMin, settings.txDateMaxFutureDays, runStartedAt),
  };
}
