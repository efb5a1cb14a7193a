import { LakeStateError } from '@ledgerlake/domain';
import type { RowErrorCode } from '@ledgerlake/domain';

/*
 * Decision files are TAB-separated lines: index, code, detail. The detail escapes `\` `TAB` `LF`
 * `CR` as `\\` `\t` `\n` `\r`, so a line stays one line whatever a detail quotes.
 */

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const UNESCAPED = /\\(.)/g;
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

/** Escapes a text field for the work format (null becomes `\N`). */
function escapeField(value: string | null): string {
  if (value === null) return NULL;
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => ESCAPES[c] as string) : value;
}

/** Reverses `escapeField`. */
function unescapeField(text: string): string | null {
  if (text === NULL) return null;
  if (!text.includes('\\')) return text;
  return text.replace(UNESCAPED, (whole, c: string) => {
    const plain = UNESCAPES[c];
    if (plain === undefined) throw new LakeStateError(`pipeline: invalid escape ${JSON.stringify(whole)} in a row decision`);
    return plain;
  });
}

/**
 * A function's verdict on one row of a work part: the row (by its index in the part) goes to
 * Quarantine or Condemned with this code. Rows without a decision carry on. Decision files are
 * small (bad rows only), so readers load a part's decisions into memory.
 */
export interface RowDecision {
  /** 0-based index of the row in its work part. */
  readonly index: number;
  readonly code: RowErrorCode;
  /** Human-readable: which field, what value, what was expected. */
  readonly detail: string;
}

/** Encodes a decision as one line (no trailing newline). */
export function encodeRowDecision(d: RowDecision): string {
  return `${d.index}\t${d.code}\t${escapeField(d.detail)}`;
}

/** Decodes one decision line; throws on a malformed line. */
export function decodeRowDecision(line: string): RowDecision {
  const c = line.split('\t');
  const index = Number(c[0]);
  const detail = c.length === 3 ? unescapeField(c[2] as string) : null;
  if (!Number.isInteger(index) || index < 0 || detail === null) {
    throw new LakeStateError(`pipeline: malformed row decision: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { index, code: c[1] as RowErrorCode, detail };
}
