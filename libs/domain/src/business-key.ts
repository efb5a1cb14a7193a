/**
 * The business key of a transaction (docs/contract/rules.md, "Business duplicates"): `TransactionID` and the UTC day of its
 * timestamp. The same id on another day is another transaction.
 */
import { canonicalInt64 } from './int64';

/**
 * Formats a business key as `<canonical TransactionID>|<YYYY-MM-DD>`, e.g. `42|2024-01-05`.
 * Both parts have a fixed alphabet without `|`, so the string is unambiguous; leading zeros and
 * `+` in the source are gone, so `007` and `7` give the same key.
 */
export function businessKey(id: bigint, utcDay: string): string {
  return `${canonicalInt64(id)}|${utcDay}`;
}
