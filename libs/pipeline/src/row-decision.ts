import type { RowErrorCode } from '@ledgerlake/domain';
import { escapeField, unescapeField } from './work-row';

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
    throw new Error(`pipeline: malformed row decision: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return { index, code: c[1] as RowErrorCode, detail };
}
