/**
 * Exact DECIMAL(16,2) amounts as bigint minor units (cents). Never a float: a float cannot hold
 * 0.10 exactly, and a bank's sums must match to the cent.
 *
 * Accepted text (after the caller trimmed it): an optional `+`/`-`, at least one ASCII digit
 * (leading zeros allowed), then optionally `.` and one or two digits. Rejected, because each is
 * either ambiguous or a sign of a broken export: `5.` and `.5` (a lone point), exponents (`1e3`),
 * thousands separators (`1,000`), inner spaces, `NaN`/`Infinity`, more than 2 fraction digits
 * (even `1.230`: the contract allows at most 2), more than 14 integer digits once leading zeros
 * are removed, and the empty string.
 */

/** Total number of digits of the Silver `amount` column, DECIMAL(16,2). */
export const DECIMAL_PRECISION = 16;

/** Number of fraction digits of the Silver `amount` column, DECIMAL(16,2). */
export const DECIMAL_SCALE = 2;

/** Largest amount in minor units: 99999999999999.99. */
export const MAX_MINOR = 9_999_999_999_999_999n;

/** Smallest amount in minor units: -99999999999999.99. */
export const MIN_MINOR = -MAX_MINOR;

/** Result of `parseAmount`: minor units, or a short phrase saying what is wrong. */
export type AmountParseResult = { ok: true; minor: bigint } | { ok: false; problem: string };

const MAX_INTEGER_DIGITS = DECIMAL_PRECISION - DECIMAL_SCALE;
/** Up to this many integer digits, integer * 100 + fraction stays below 2^53 (exact as a number). */
const SAFE_INTEGER_DIGITS = 13;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const EXPECTED = 'expected a plain decimal such as -25.50';

/** Parses a trimmed DECIMAL(16,2) amount into exact minor units; see the module comment for the grammar. */
export function parseAmount(text: string): AmountParseResult {
  const length = text.length;
  if (length === 0) return { ok: false, problem: 'is empty' };
  let i = 0;
  const first = text.charCodeAt(0);
  const negative = first === MINUS;
  if (negative || first === PLUS) i = 1;
  const intStart = i;
  while (i < length && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let hasPoint = false;
  let fracDigits = 0;
  if (i < length && text.charCodeAt(i) === DOT) {
    hasPoint = true;
    i++;
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    fracDigits = i - intEnd - 1;
  }
  if (i !== length) return { ok: false, problem: describeStray(text, i, intEnd > intStart) };
  if (intEnd === intStart) {
    return { ok: false, problem: hasPoint ? `has no digit before the decimal point; ${EXPECTED}` : `is not a number; ${EXPECTED}` };
  }
  if (hasPoint && fracDigits === 0) return { ok: false, problem: `has no digit after the decimal point; ${EXPECTED}` };
  if (fracDigits > DECIMAL_SCALE) {
    return { ok: false, problem: `has ${fracDigits} fraction digits; at most ${DECIMAL_SCALE} allowed` };
  }
  let significant = intStart;
  while (significant < intEnd - 1 && text.charCodeAt(significant) === ZERO) significant++;
  const integerDigits = intEnd - significant;
  if (integerDigits > MAX_INTEGER_DIGITS) {
    return { ok: false, problem: `exceeds DECIMAL(16,2): more than ${MAX_INTEGER_DIGITS} integer digits` };
  }
  let magnitude: bigint;
  if (integerDigits <= SAFE_INTEGER_DIGITS) {
    let value = 0;
    for (let j = significant; j < intEnd; j++) value = value * 10 + (text.charCodeAt(j) - ZERO);
    let cents = 0;
    if (fracDigits >= 1) cents = (text.charCodeAt(intEnd + 1) - ZERO) * 10;
    if (fracDigits === 2) cents += text.charCodeAt(intEnd + 2) - ZERO;
    magnitude = BigInt(value * 100 + cents);
  } else {
    const fraction = hasPoint ? text.slice(intEnd + 1) : '';
    magnitude = BigInt(text.slice(significant, intEnd) + fraction.padEnd(DECIMAL_SCALE, '0'));
  }
  return { ok: true, minor: negative ? -magnitude : magnitude };
}

/** Formats minor units as a plain decimal with exactly 2 fraction digits: `326.00`, `-0.50`, `0.00`. */
export function formatMinor(minor: bigint): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(DECIMAL_SCALE + 1, '0');
  const cut = digits.length - DECIMAL_SCALE;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function describeStray(text: string, at: number, afterDigits: boolean): string {
  const char = text.charAt(at);
  if (afterDigits && (char === 'e' || char === 'E')) return `uses exponent notation; ${EXPECTED}`;
  if (char === ',' || char === '_' || char === "'") {
    return `contains the separator ${JSON.stringify(char)}; ${EXPECTED} without thousands separators`;
  }
  if (char === '.') return `has more than one decimal point; ${EXPECTED}`;
  if (/\s/.test(char)) return `contains whitespace; ${EXPECTED}`;
  if (!afterDigits && at <= 1) return `is not a number; ${EXPECTED}`;
  return `contains ${JSON.stringify(char)}; ${EXPECTED}`;
}
