import { InvalidInputError } from '@ledgerlake/domain';
import type { CheckedHeader } from './header';

/** The column a retry file carries each row's attempt in (docs/contract/rules.md, "Row enrichment"); honoured in mode `retry` only. */
export const ATTEMPT_COUNT_COLUMN = 'attempt_count';

const ATTEMPT_PATTERN = /^(0|[1-9]\d{0,2})$/;
const MAX_ATTEMPT = 255;

/**
 * Where a retry file's records hold `attempt_count`. A retry run's input is written by the retry
 * core, so a file without the column is refused as a whole (`InvalidInputError`).
 */
export function attemptPosition(header: CheckedHeader, file: string, line: number): number {
  const position = header.names.indexOf(ATTEMPT_COUNT_COLUMN);
  if (position < 0) throw new InvalidInputError(file, `is the input of a retry run but has no ${ATTEMPT_COUNT_COLUMN} column`, { line });
  return position;
}

/** A retry file row's attempt; a value that is not an integer 0..255 is the file's fault, not the row's. */
export function attemptOf(fields: readonly string[], position: number, file: string, line: number): number {
  const text = (fields[position] ?? '').trim();
  if (!ATTEMPT_PATTERN.test(text) || Number(text) > MAX_ATTEMPT) {
    throw new InvalidInputError(file, `has ${ATTEMPT_COUNT_COLUMN} ${JSON.stringify(text)}; expected an integer 0..${MAX_ATTEMPT}`, { line });
  }
  return Number(text);
}
