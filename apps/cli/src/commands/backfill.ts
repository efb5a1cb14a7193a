import type { Command } from 'commander';
import { parseMonth } from '../arguments';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadIngest, loadInputFiles, loadRunbook, loadSummary } from '../loaders';

/** `ledgerlake backfill --month YYYY-MM FILE...`: rebuild one month from files. */
export function registerBackfill(program: Command, ctx: CommandContext): void {
  const { io, withCommon, withRunFlags, operator, openFor, print } = ctx;
  withRunFlags(withCommon(
    program
      .command('backfill')
      .description(
        'rebuild one month from the given files (as one run, backfill-<timestamp>): through the gate, the run replaces the ' +
          "month's published state (rows of other months are appended to theirs), and Gold is rebuilt from there on",
      )
      .requiredOption('--month <YYYY-MM>', 'the Silver month to rebuild', parseMonth)
      .argument('<file...>', 'CSV files (sharing one header) holding the whole month')
      .option('--json', 'print one JSON object on stdout, as ingest --json prints a run, plus backfill_month and files'),
  )).action(async (files: string[], options: CommonOptions & { month: string }) => {
    const inputs = await (await loadInputFiles()).checkInputFiles(files, io.cwd);
    const { ingestExitCode } = await loadIngest();
    const lake = await openFor(options, 'start', 'backfill');
    const { backfillInput, backfillMonth } = await loadRunbook();
    const { formatIngestSummary } = await loadSummary();
    const outcome = await backfillMonth(await operator(lake, options), options.month, await backfillInput(inputs));
    print(options, outcome, () => formatIngestSummary(outcome));
    ctx.state.exitCode = ingestExitCode([outcome]);
  });

}
