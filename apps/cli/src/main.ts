import { Command, CommanderError, Help } from 'commander';
import { version as CLI_VERSION } from '../package.json';
import { CliError, EXIT } from './cli-error';
import type { CliIo } from './cli-io';
import { type CommonOptions, createCommandContext, GLOBAL_OPTIONS } from './command-context';
import { registerIngest } from './commands/ingest';
import { registerWatch } from './commands/watch';
import { registerRuns } from './commands/runs';
import { registerBronze } from './commands/bronze';
import { registerLogs } from './commands/logs';
import { registerPromote } from './commands/promote';
import { registerPartitions } from './commands/partitions';
import { registerRecover } from './commands/recover';
import { registerQuery } from './commands/query';
import { registerReport } from './commands/report';
import { registerQuarantine } from './commands/quarantine';
import { registerCondemned } from './commands/condemned';
import { registerBreaker } from './commands/breaker';
import { registerBackfill } from './commands/backfill';
import { registerCompletion } from './commands/completion';
import { loadRunbook } from './loaders';

/** The exit codes, as `--help` lists them (cli-error.ts EXIT). */
const EXIT_CODES_HELP = `
Exit codes:
  0    done (published, skipped, or nothing to do)
  1    failed (the sentence on stderr says what, and what to do)
  2    wrong usage (a bad option or value, an unknown run id, a refused query)
  3    blocked by the promotion gate (nothing published)
  130  stopped by SIGINT (Ctrl-C); 143 by SIGTERM`;

const EXAMPLES_HELP = `Examples:
  ledgerlake ingest samples/transactions-2024-q1.csv      land a file and run the pipeline on it
  ledgerlake runs                                         every run, newest first
  ledgerlake runs show RUN_ID --open                      one run, and its report
  ledgerlake query "SELECT count(*) FROM silver.transactions" --format csv
  ledgerlake quarantine list --run RUN_ID                 rows to fix; then quarantine retry --fixes FILE.csv
  ledgerlake report balances --from 2024-01 --to 2024-03
  ledgerlake runs --stage prod                            the same on a deployed stage`;

/**
 * The `ledgerlake` command: `argv` are the user's arguments (no `node` or script path). Resolves to
 * the exit code: 0 done, 1 failed, 2 wrong usage, 3 blocked, 130 / 143 interrupted by SIGINT /
 * SIGTERM. Each command is its own module (commands/*.ts); what they share is command-context.ts.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = createCommandContext(io);
  const program = new Command('ledgerlake')
    .description('LedgerLake: ingest transaction files into a lake (a local folder, or a deployed stage with --stage), inspect its runs and rows, and run the runbook.')
    .version(`ledgerlake ${CLI_VERSION}`, '-V, --version', 'print the version')
    .exitOverride()
    // `runs` takes options and has a subcommand (`runs show`): options after a subcommand are the subcommand's.
    .enablePositionalOptions()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run `ledgerlake --help` for usage)')
    // Options a command cannot run without say so in its help.
    .configureHelp({ optionDescription: (option) => `${new Help().optionDescription(option)}${option.mandatory ? ' (required)' : ''}` })
    .showSuggestionAfterError(true)
    .hook('preAction', (_program, action) => {
      // The options every command takes may also come before the command (`ledgerlake --lake L runs`).
      for (const [name, value] of Object.entries(program.opts())) {
        if (value !== undefined && action.getOptionValue(name) === undefined) action.setOptionValue(name, value);
      }
      const options = action.opts<CommonOptions>();
      ctx.state.verbose = options.verbose === true;
      ctx.state.json = options.json === true;
    });
  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  program.option('--json', 'JSON on stdout (each command says what it prints; errors too)');
  program.addHelpText('after', `${EXIT_CODES_HELP}\n\n${EXAMPLES_HELP}`);

  registerIngest(program, ctx);
  registerWatch(program, ctx);
  registerRuns(program, ctx);
  registerBronze(program, ctx);
  registerLogs(program, ctx);
  registerPromote(program, ctx);
  registerPartitions(program, ctx);
  registerRecover(program, ctx);
  registerQuery(program, ctx);
  registerReport(program, ctx);
  registerQuarantine(program, ctx);
  registerCondemned(program, ctx);
  registerBreaker(program, ctx);
  registerBackfill(program, ctx);
  registerCompletion(program, ctx);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.state.exitCode;
  } catch (error) {
    // With --json (also when commander refused the arguments before any action ran) the error is
    // JSON on stdout too: `{"error": {code, message, exit_code}}` — stdout never stays empty.
    const asJson = ctx.state.json || argv.includes('--json');
    const report = (failure: { code: string; message: string; exitCode: number; name?: string }): number => {
      if (asJson) {
        const body = { code: failure.code, message: failure.message, exit_code: failure.exitCode, ...(failure.name === undefined ? {} : { name: failure.name }) };
        io.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
      }
      return failure.exitCode;
    };
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander throws is wrong usage (commander printed why).
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      return report({ code: 'usage-error', message: error.message.replace(/^error: /, ''), exitCode: EXIT.usage, name: error.code });
    }
    /** One sentence on stderr, never `ledgerlake: ledgerlake: …`. */
    const say = (message: string): void => void io.stderr.write(`ledgerlake: ${message.replace(/^ledgerlake: /, '')}\n`);
    if (error instanceof CliError) {
      say(error.message);
      return report({ code: error.code, message: error.message, exitCode: error.exitCode });
    }
    const { RunbookError } = await loadRunbook();
    if (error instanceof RunbookError) {
      say(error.message);
      return report({ code: error.code, message: error.message, exitCode: error.isInvalidRequest ? EXIT.usage : EXIT.failed });
    }
    const unexpected = error instanceof Error ? error : new Error(String(error));
    say(`${unexpected.name}: ${unexpected.message}`);
    io.stderr.write(ctx.state.verbose ? `${unexpected.stack ?? ''}\n` : '(run again with --verbose for the stack trace)\n');
    return report({ code: 'internal-error', message: unexpected.message, exitCode: EXIT.failed, name: unexpected.name });
  }
}

/**
 * Runs the command on this process's arguments and streams, and sets the process exit code. A
 * command stopped by a signal (130, 143) ends the process once its output is out: a function of
 * the interrupted run may still be computing in this thread (it can write nothing more).
 */
export function runFromProcess(): void {
  // A reader that stops early (`ledgerlake runs | head -1`) closes the pipe: that is the end of the
  // output, not an error — stop quietly, as other command-line tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw error;
    });
  }
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
    if (code === EXIT.sigint || code === EXIT.sigterm) process.stdout.write('', () => process.exit(code));
  });
}
