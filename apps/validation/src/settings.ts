import { type BreakerLimits, DEFAULT_QUALITY_POLICY, DEFAULT_ROW_RULE_SETTINGS, type RowRuleSettings } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** What validation is configured with. */
export interface ValidationSettings {
  /** The row rules: currency allowlist, account id pattern and length, transaction date window (the partition writer's too). */
  readonly rules: RowRuleSettings;
  /** The circuit breaker's window and trip conditions (the domain's quality policy, docs/contract/rules.md, "Circuit breaker"). */
  readonly breaker: BreakerLimits;
}

/** The contract's defaults: the domain's row rules and quality policy (breaker 60 min / more than 100 rows / more than 5 %). */
export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  rules: DEFAULT_ROW_RULE_SETTINGS,
  breaker: DEFAULT_QUALITY_POLICY.breaker,
};

/** What validation works with. */
export interface ValidationDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly settings: ValidationSettings;
  /** The clock of the breaker window; default the system clock. */
  readonly now?: () => Date;
}
