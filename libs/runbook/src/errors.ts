/**
 * Why the runbook refused a request, as a code a program can branch on (`--json` prints it) and
 * one sentence a person can act on. `invalid-*` and `unknown-run`: the request itself is wrong — a
 * malformed value, or a run the lake has never seen (a command line reports it as a usage error);
 * the others: the lake's state does not allow it.
 */
export const RUNBOOK_ERROR_CODES = [
  'invalid-run-id',
  'invalid-error-code',
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
    return this.code.startsWith('invalid-') || this.code === 'unknown-run';
  }
}

/** The one sentence for a run id the lake has no trace of, wherever it is named. */
export function unknownRunError(runId: string): RunbookError {
  return new RunbookError('unknown-run', `The lake has no run ${runId} (see \`ledgerlake runs\`).`);
}
