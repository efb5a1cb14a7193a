import { DEFAULT_CURRENCIES } from '@ledgerlake/domain';
import { DEFAULT_BREAKER_CONFIG, type BreakerConfig } from '@ledgerlake/pipeline';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** What validation is configured with. */
export interface ValidationSettings {
  /** The `Currency` allowlist (case-sensitive ISO-4217 codes). */
  readonly currencies: readonly string[];
  /** Circuit breaker thresholds (PRODUCT.md §3.5). */
  readonly breaker: BreakerConfig;
}

/** The contract's defaults: the domain's currency list, breaker 60 min / >100 rows / >5 %. */
export const DEFAULT_VALIDATION_SETTINGS: ValidationSettings = {
  currencies: DEFAULT_CURRENCIES,
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
