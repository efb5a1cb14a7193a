/**
 * Signed 64-bit integers (Silver `id` BIGINT) as bigint. Accepted text (after the caller trimmed
 * it): an optional `+`/`-` and one or more ASCII digits, leading zeros allowed; the value must
 * lie in [-9223372036854775808, 9223372036854775807]. Anything else (fractions, exponents,
 * separators, spaces, non-ASCII digits) is rejected.
 */

/** Smallest int64 value. */
export const INT64_MIN = -9_223_372_036_854_775_808n;

/** Largest int64 value. */
export const INT64_MAX = 9_223_372_036_854_775_807n;

/** Result of `parseInt64`: the value, or a short phrase saying what is wrong. */
export type Int64ParseResult = { ok: true; value: bigint } | { ok: false; problem: string };

const PLUS = 43;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Up to this many digits a decimal integer is exact as a number (< 2^53). */
const SAFE_DIGITS = 15;
/** int64 has at most 19 digits. */
const MAX_DIGITS = 19;
const EXPECTED = 'expected a whole number such as 12345';

/** Parses a trimmed decimal integer in the int64 range. */
export function parseInt64(text: string): Int64ParseResult {
  const length = text.length;
  if (length === 0) return { ok: false, problem: 'is empty' };
  const first = text.charCodeAt(0);
  const negative = first === MINUS;
  const start = negative || first === PLUS ? 1 : 0;
  let i = start;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code < ZERO || code > NINE) break;
    i++;
  }
  if (i !== length || i === start) return { ok: false, problem: describeBad(text, i, i > start) };
  let significant = start;
  while (significant < length - 1 && text.charCodeAt(significant) === ZERO) significant++;
  const digits = length - significant;
  if (digits <= SAFE_DIGITS) {
    let value = 0;
    for (let j = significant; j < length; j++) value = value * 10 + (text.charCodeAt(j) - ZERO);
    return { ok: true, value: negative ? -BigInt(value) : BigInt(value) };
  }
  if (digits <= MAX_DIGITS) {
    const magnitude = BigInt(text.slice(significant));
    const value = negative ? -magnitude : magnitude;
    if (value >= INT64_MIN && value <= INT64_MAX) return { ok: true, value };
  }
  return { ok: false, problem: `is outside the int64 range ${INT64_MIN}..${INT64_MAX}` };
}

/** The canonical decimal form of an int64 (no sign for non-negative values, no leading zeros), used in business keys. */
export function canonicalInt64(value: bigint): string {
  return value.toString();
}

function describeBad(text: string, at: number, afterDigits: boolean): string {
  if (at === text.length) return `is not a number; ${EXPECTED}`;
  const char = text.charAt(at);
  if (afterDigits && char === '.') return `has a decimal point; ${EXPECTED}`;
  if (afterDigits && (char === 'e' || char === 'E')) return `uses exponent notation; ${EXPECTED}`;
  if (/\s/.test(char)) return `contains whitespace; ${EXPECTED}`;
  if (!afterDigits) return `is not a number; ${EXPECTED}`;
  return `contains ${JSON.stringify(char)}; ${EXPECTED}`;
}
