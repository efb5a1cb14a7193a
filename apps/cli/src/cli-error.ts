/**
 * Exit codes of the `ledgerlake` command (PRODUCT.md §11); a command stopped by a signal exits
 * 128 + the signal's number, as a shell reports it (SIGINT 130, SIGTERM 143).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 3, sigint: 130, sigterm: 143 } as const;

/**
 * A failure the user can act on, reported as one sentence on stderr (no stack trace) with its
 * exit code: a missing input file, a lake folder that is not writable, an unknown run id.
 */
export class CliError extends Error {
  override readonly name = 'CliError' as const;
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}
