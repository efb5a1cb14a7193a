/**
 * Why the runbook refused a request, as a code a program can branch on (`--json` prints it) and
 * one sentence a person can act on. `invalid-*` and `unknown-run`: the request itself is wrong — a
 * malformed value, or a run the lake has never seen (a command line reports it as a usage error);
 * the others: the lake's state does not allow it.
 */
export const RUNBOOK_ERROR_CODES = [
  'invalid-run-id',
  'invalid-error-code',
  'invalid-row-hash',
  'ambiguous-row-hash',
  'unmatched-fix',
  'unknown-run',
  'no-output',
  'unknown-bronze-file',
  'no-rows',
  'unknown-rows',
  'refused',
  'not-rerunnable',
  'bronze-conflict',
] as const;

export type RunbookErrorCode = (typeof RUNBOOK_ERROR_CODES)[number];

/** A runbook request refused with one sentence; nothing was changed in the lake. */
export class RunbookError extends Error {
  override readonly name = 'RunbookError' as const;
  constructor(
    readonly code: RunbookErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The request itself is wrong (not the lake's state): a usage error. */
  get isInvalidRequest(): boolean {
    return this.code.startsWith('invalid-') || this.code === 'unknown-run' || this.code === 'ambiguous-row-hash';
  }
}

/** The shortest row hash prefix the runbook takes (a row hash is 64 hex digits). */
export const MIN_ROW_HASH_PREFIX = 8;

/**
 * Resolves row hashes a person typed (`--row-hash`, a fixes file's `row_hash`): each the whole hash
 * or a unique prefix of at least MIN_ROW_HASH_PREFIX characters among `candidates`. Returns the
 * whole hash per given one, `undefined` where nothing matches (the caller says what was expected).
 */
export function resolveRowHashes(given: readonly string[], candidates: readonly string[], what: string): (string | undefined)[] {
  return given.map((typed) => {
    const prefix = typed.trim().toLowerCase();
    if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_ROW_HASH_PREFIX) {
      throw new RunbookError('invalid-row-hash', `${JSON.stringify(typed)} is not a row hash: give the hash, or at least its first ${MIN_ROW_HASH_PREFIX} hex digits.`);
    }
    const matches = candidates.filter((hash) => hash.startsWith(prefix));
    if (matches.length > 1) {
      const shown = matches.slice(0, 3).map((hash) => hash.slice(0, prefix.length + 4)).join(', ');
      throw new RunbookError('ambiguous-row-hash', `Row hash ${typed} matches ${matches.length} ${what} (${shown}${matches.length > 3 ? ', …' : ''}): give more of it.`);
    }
    return matches[0];
  });
}

/** The one sentence for a run id the lake has no trace of, wherever it is named. */
export function unknownRunError(runId: string): RunbookError {
  return new RunbookError('unknown-run', `The lake has no run ${runId} (see \`ledgerlake runs\`).`);
}
