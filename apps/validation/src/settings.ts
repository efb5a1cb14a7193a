import { DEFAULT_ROW_RULE_SETTINGS, type RowRuleSettings } from '@ledgerlake/domain';
import { DEFAULT_BREAKER_CONFIG, type BreakerConfig } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** What validation is configured with. */
export interface ValidationSettings {
  /** The row rules: currency allowlist, account id pattern and length, transaction date window (the partition writer's too). */
  readonly rules: RowRuleSettings;
  /** Circuit breaker thresholds (docs/contract/rules.md, "Circuit breaker"). */
  readonly breaker: BreakerConfig;
}

/** The contract's defaults: the domain's row rules, breaker 60 min / >100 rows / >5 %. */
export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  rules: DEFAULT_ROW_RULE_SETTINGS,
  breaker: DEFAULT_BREAKER_CONFIG,
};

/** What validation works with. */
export interface ValidationDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly settings: ValidationSettings;
  /** The clock of the breaker window; default the system clock. */
  readonly now?: () => Date;
}
