import type { Command } from 'commander';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadIngest, loadRetry, loadRunbook, loadSummary } from '../loaders';

/** `ledgerlake condemned list|approve|reject`: condemned rows and the decisions on them. */
export function registerCondemned(program: Command, ctx: CommandContext): void {
  const { io, now, withCommon, withRunFlags, operator, openFor, refreshReport, print } = ctx;
  const condemned = program.command('condemned').description('condemned rows: list them, approve one more attempt, or reject them for good');

  withCommon(
    condemned
      .command('list')
      .description('condemned rows with their code, detail and status (CONDEMNED: undecided; APPROVED; REJECTED), and the counts by code')
      .option('--run <run_id>', 'only the rows of this run')
      .option('--json', 'print one JSON object {rows, by_code, by_status} on stdout'),
  ).action(async (options: CommonOptions & { run?: string }) => {
    const lake = await openFor(options, 'read', 'condemned list');
    const { listCondemned } = await loadRunbook();
    const { formatRows } = await import('../rejected-listing');
    const listing = await listCondemned(lake, options);
    print(options, listing, () => formatRows(listing.rows, listing.by_code, 'condemned rows'));
  });

  withRunFlags(withCommon(
    condemned
      .command('approve')
      .description(
        "record a person's approval (who, when, why, which rows) of a run's undecided condemned rows, then re-submit them as a retry run " +
          'allowed one more attempt despite the limit',
      )
      .requiredOption('--run <run_id>', 'the run whose condemned rows to approve')
      .option('--by <name>', 'who approves (required; recorded)')
      .option('--reason <text>', 'why (required; recorded)')
      .option('--row-hash <hash...>', 'only these rows (default: every undecided condemned row of the run)')
      .option('--fixes <file.csv>', 'corrections, as for quarantine retry')
      .option('--json', 'print one JSON object on stdout: the decision and the retry run'),
  )).action(async (options: CommonOptions & { run: string; by?: string; reason?: string; rowHash?: string[]; fixes?: string }) => {
    const { requireWhoAndWhy, readFixes, formatRetryOutcome } = await loadRetry();
    const who = requireWhoAndWhy(options, 'An approval');
    const lake = await openFor(options, 'start', 'condemned approve');
    const { approveCondemned, formatDecision } = await loadRunbook();
    const { ingestExitCode } = await loadIngest();
    const { formatIngestSummary } = await loadSummary();
    const fixes = options.fixes === undefined ? undefined : await readFixes(options.fixes, io.cwd);
    const outcome = await approveCondemned(await operator(lake, options), {
      run: options.run,
      ...who,
      ...(options.rowHash === undefined ? {} : { rowHashes: options.rowHash }),
      ...(fixes === undefined ? {} : { fixes, fixesFile: options.fixes }),
    });
    print(options, outcome, () => formatDecision(outcome.decision) + formatRetryOutcome(outcome, formatIngestSummary(outcome)));
    ctx.state.exitCode = ingestExitCode([outcome]);
  });

  withCommon(
    condemned
      .command('reject')
      .description("record a person's rejection (who, when, why, which rows) of a run's undecided condemned rows: kept forever, never retried")
      .requiredOption('--run <run_id>', 'the run whose condemned rows to reject')
      .option('--by <name>', 'who rejects (required; recorded)')
      .option('--reason <text>', 'why (required; recorded)')
      .option('--row-hash <hash...>', 'only these rows (default: every undecided condemned row of the run)')
      .option('--json', 'print the recorded decision as one JSON object on stdout'),
  ).action(async (options: CommonOptions & { run: string; by?: string; reason?: string; rowHash?: string[] }) => {
    const { requireWhoAndWhy } = await loadRetry();
    const who = requireWhoAndWhy(options, 'A rejection');
    const lake = await openFor(options, 'record', 'condemned reject');
    const { formatDecision, rejectCondemned } = await loadRunbook();
    const decision = await rejectCondemned(lake, { run: options.run, ...who, ...(options.rowHash === undefined ? {} : { rowHashes: options.rowHash }) }, now);
    await refreshReport(lake, options.run);
    print(options, decision, () => formatDecision(decision));
  });

}
