import type { Command } from 'commander';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadIngest, loadRetry, loadRunbook, loadSummary } from '../loaders';

/** `ledgerlake quarantine list` and `quarantine retry`: quarantined rows, and re-submitting them. */
export function registerQuarantine(program: Command, ctx: CommandContext): void {
  const { io, now, wiring, withCommon, withRunFlags, operator, openFor, print } = ctx;
  const quarantine = program.command('quarantine').description('quarantined rows: list them by error, retry them (attempt_count + 1)');

  withCommon(
    quarantine
      .command('list')
      .description('quarantined rows with their error and the counts by code; OPEN rows only unless --all (RETRYING: a retry run holds the row; RESOLVED: its retry run published it; REQUARANTINED: it failed again and is OPEN in that retry run; CONDEMNED: that retry run condemned it)')
      .option('--run <run_id>', 'only the rows of this run')
      .option('--error <code>', 'only rows with this code (SCHEMA_ERROR, NULL_VALUE_ERROR, TYPE_ERROR, CURRENCY_ERROR, TIMESTAMP_ERROR)')
      .option('--all', 'also list the rows in every other state, with the retry run that holds or held each')
      .option('--fixes-template <file.csv>', "also write the run's open rows as a fixes file ready to edit (then quarantine retry --fixes FILE)")
      .option('--json', 'print one JSON object {rows, by_code, by_status} on stdout'),
  ).action(async (options: CommonOptions & { run?: string; error?: string; all?: boolean; fixesTemplate?: string }) => {
    const lake = await openFor(options, 'read', 'quarantine list');
    const { listQuarantine } = await loadRunbook();
    const { formatRows } = await import('../rejected-listing');
    const { retryWatch, writeFixesTemplate } = await import('../retry');
    const listing = await listQuarantine(lake, options, retryWatch({ now, wiring: await wiring() }));
    if (options.fixesTemplate !== undefined) {
      const open = listing.rows.filter((row) => row.status === 'OPEN');
      const written = await writeFixesTemplate(options.fixesTemplate, io.cwd, open);
      const run = open[0]?.run_id ?? options.run ?? 'RUN_ID';
      io.stderr.write(
        `ledgerlake: wrote ${written === 1 ? '1 open row' : `${written} open rows`} to ${options.fixesTemplate}: correct the values, then \`ledgerlake quarantine retry --run ${run} --fixes ${options.fixesTemplate}\`.\n`,
      );
    }
    print(options, listing, () => formatRows(listing.rows, listing.by_code, options.all === true ? 'quarantined rows' : 'open quarantined rows'));
  });

  withRunFlags(withCommon(
    quarantine
      .command('retry')
      .description(
        "re-submit a run's open quarantined rows as a new run (mode retry) whose rows carry attempt_count + 1, optionally corrected; " +
          'rows that pass are published (only a critical error blocks a retry run), rows that fail are quarantined again, and at 3 attempts ' +
          'they are condemned (MAX_ATTEMPTS); a retry run that fails or is blocked leaves its rows OPEN',
      )
      .requiredOption('--run <run_id>', 'the run whose quarantined rows to retry')
      .option('--error <code>', 'only rows with this code')
      .option('--fixes <file.csv>', 'corrections: a row_hash column naming the quarantined row, and the five input columns with the corrected values')
      .option('--by <name>', 'who asks for the retry (recorded; default $USER)')
      .option('--json', 'print one JSON object on stdout: the retry run as ingest --json prints a run, plus retry_of and rows'),
  )).action(async (options: CommonOptions & { run: string; error?: string; fixes?: string; by?: string }) => {
    const lake = await openFor(options, 'start', 'quarantine retry');
    const { retryQuarantine } = await loadRunbook();
    const { formatRetryOutcome, readFixes } = await loadRetry();
    const { ingestExitCode } = await loadIngest();
    const { formatIngestSummary } = await loadSummary();
    const fixes = options.fixes === undefined ? undefined : await readFixes(options.fixes, io.cwd);
    const by = options.by?.trim() || io.env['USER'] || 'unknown';
    const outcome = await retryQuarantine(await operator(lake, options), {
      run: options.run,
      ...(options.error === undefined ? {} : { error: options.error }),
      ...(fixes === undefined ? {} : { fixes, fixesFile: options.fixes }),
      by,
    });
    print(options, outcome, () => formatRetryOutcome(outcome, formatIngestSummary(outcome)));
    ctx.state.exitCode = ingestExitCode([outcome]);
  });

}
