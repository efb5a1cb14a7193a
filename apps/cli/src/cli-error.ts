/**
 * Exit codes of the `ledgerlake` command (docs/contract/interfaces.md, "Exit codes"); a command stopped by a signal exits
 * 128 + the signal's number, as a shell reports it (SIGINT 130, SIGTERM 143).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 3, sigint: 130, sigterm: 143 } as const;

/** The `code` of an error `--json` prints when nothing more precise names it: what its exit code says. */
export function errorCodeOf(exitCode: number): string {
  return exitCode === EXIT.usage ? 'usage-error' : exitCode === EXIT.blocked ? 'blocked' : 'failed';
}

/**
 * A failure the user can act on, reported as one sentence on stderr (no stack trace) with its
 * exit code — with `--json` also as `{"error": {code, message, exit_code}}` on stdout: a missing
 * input file, a lake folder that is not writable, a refused query.
 */
export class CliError extends Error {
  override readonly name = 'CliError' as const;
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    /** What a program can branch on; default what the exit code says (`usage-error`, `failed`, `blocked`). */
    readonly code: string = errorCodeOf(exitCode),
  ) {
    super(message);
  }
}
