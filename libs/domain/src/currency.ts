/** ISO-4217 currency codes accepted in `Currency` (docs/contract/rules.md, "Validation"). */
import { z } from 'zod';

/**
 * The default allowlist, exactly the contract's list. Deployments widen it through configuration
 * rather than here, so that a new currency is a reviewed decision.
 */
export const DEFAULT_CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'JPY',
  'CHF',
  'CAD',
  'AUD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
] as const;

/** Schema of a currency code: exactly three uppercase ASCII letters (shape only, not membership). */
export const CurrencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'expected three uppercase letters (ISO-4217)');

/** A currency code such as `EUR`. */
export type CurrencyCode = z.infer<typeof CurrencyCodeSchema>;
