/**
 * Account ids (`CustomerID`, Silver `account_id`): what a value must be before it is published.
 *
 * Always checked, whatever the configuration (the safety rules):
 * - at most `maxLength` characters (code points; default 64);
 * - no invisible or non-printing character: control (Unicode Cc: NUL, tab, CR, LF, ESC, DEL,
 *   U+0080-U+009F), format (Cf: zero-width space and joiners, U+FEFF, soft hyphen, the bidi
 *   embeddings, overrides and isolates), surrogate (Cs), private use (Co), line and paragraph
 *   separators (Zl, Zp), and any space but the plain U+0020 space (Zs: no-break and other spaces);
 * - not starting with `=`, `+`, `-` or `@` (nor tab or CR, already refused above), which
 *   spreadsheets read as the start of a formula (OWASP "CSV injection").
 *
 * Then the whole id must match the configured pattern (a JavaScript regular expression with the
 * `u` flag, anchored at both ends). The default refuses `,` and `"`: the delimiter and quote of the
 * CSV the ids arrive in, never part of a real id, and the first thing to break a naive export.
 */

/** The default `ACCOUNT_ID_PATTERN`: anything the safety rules let through but `,` and `"`. */
export const DEFAULT_ACCOUNT_ID_PATTERN = '[^,"]+';

/** The default `ACCOUNT_ID_MAX_LENGTH`: room for any real scheme (an IBAN has at most 34 characters, a UUID 36), far below a pasted paragraph. */
export const DEFAULT_ACCOUNT_ID_MAX_LENGTH = 64;

/** The checks of one account id, compiled once from the settings (`accountIdRule`). */
export interface AccountIdRule {
  /** The pattern as configured, for details. */
  readonly pattern: string;
  readonly maxLength: number;
  /** `^(?:pattern)$`, flag `u`. */
  readonly compiled: RegExp;
  /** Whether the pattern is the default one, which every printable-ASCII id without `,` and `"` matches. */
  readonly isDefault: boolean;
}

/** Characters a spreadsheet reads as the start of a formula (OWASP), tab and CR included. */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/** Unprintable: Cc, Cf, Cs, Co, Zl, Zp, and every Zs but U+0020. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

/** Names of the unprintable characters most likely met, for details; others are named by category. */
const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NULL',
  0x08: 'BACKSPACE',
  0x09: 'CHARACTER TABULATION',
  0x0a: 'LINE FEED',
  0x0b: 'LINE TABULATION',
  0x0c: 'FORM FEED',
  0x0d: 'CARRIAGE RETURN',
  0x1b: 'ESCAPE',
  0x7f: 'DELETE',
  0x85: 'NEXT LINE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** The category of an unprintable character without a listed name (Zl and Zp have one character each, both named). */
const CATEGORIES: readonly [RegExp, string][] = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cf}/u, 'a format character'],
  [/\p{Cs}/u, 'an unpaired surrogate'],
  [/\p{Co}/u, 'a private-use character'],
  [/[^]/u, 'a space other than U+0020'],
];

/**
 * Why `pattern` cannot be an account id pattern, or `undefined` when it can: it must compile as a
 * JavaScript regular expression with the `u` flag.
 */
export function accountIdPatternProblem(pattern: string): string | undefined {
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return undefined;
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: \/.*\/u?: /s, '')})`;
  }
}

/** Compiles the account id checks; throws a RangeError on a pattern that does not compile or a length below 1. */
export function accountIdRule(pattern: string, maxLength: number): AccountIdRule {
  const problem = accountIdPatternProblem(pattern);
  if (problem !== undefined) throw new RangeError(`account id pattern ${JSON.stringify(pattern)} ${problem}`);
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) throw new RangeError(`account id max length ${maxLength} is not a positive integer`);
  return { pattern, maxLength, compiled: new RegExp(`^(?:${pattern})$`, 'u'), isDefault: pattern === DEFAULT_ACCOUNT_ID_PATTERN };
}

/**
 * What is wrong with an account id (a phrase for a detail), or `undefined` when it passes; see
 * the module comment for the rules and their order (length first: it bounds the rest's work).
 */
export function accountIdProblem(id: string, rule: AccountIdRule): string | undefined {
  const length = id.length;
  if (length > rule.maxLength) {
    const characters = countCodePoints(id);
    if (characters > rule.maxLength) return `is ${characters} characters long; at most ${rule.maxLength} allowed`;
  }
  // The fast path of nearly every row: printable ASCII only.
  let ascii = true;
  for (let i = 0; i < length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      ascii = false;
      break;
    }
  }
  if (!ascii) {
    const found = UNPRINTABLE.exec(id);
    if (found !== null) return `contains ${describeCharacter(found[0])} at position ${countCodePoints(id.slice(0, found.index)) + 1}`;
  }
  const first = id.charAt(0);
  if (FORMULA_TRIGGERS.includes(first)) return `starts with '${first}', which spreadsheets read as a formula`;
  if (ascii && rule.isDefault && !id.includes(',') && !id.includes('"')) return undefined;
  return rule.compiled.test(id) ? undefined : `does not match the account id pattern ${rule.pattern}`;
}

/** `U+200B ZERO WIDTH SPACE`, or `U+0007 (a control character)` for one without a listed name. */
export function describeCharacter(character: string): string {
  const code = character.codePointAt(0) as number;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[code];
  if (name !== undefined) return `${hex} ${name}`;
  const [, category] = CATEGORIES.find(([pattern]) => pattern.test(character)) as [RegExp, string];
  return `${hex} (${category})`;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
