import type { Command } from 'commander';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadBronze, loadRetry, loadRunbook } from '../loaders';

/** `ledgerlake bronze list` and `bronze ignore`: the files landed in Bronze and their state. */
export function registerBronze(program: Command, ctx: CommandContext): void {
  const { now, withCommon, openFor, print } = ctx;
  const bronze = program.command('bronze').description('the files landed in Bronze: their state, and marking one ignored');

  withCommon(
    bronze
      .command('list')
      .description('every Bronze object with its state (PENDING: watch runs it; RUNNING; PUBLISHED; BLOCKED, FAILED: run again only on request; IGNORED) and its last run')
      .option('--json', 'print one JSON array on stdout'),
  ).action(async (options: CommonOptions) => {
    const lake = await openFor(options, 'read', 'bronze list');
    const { bronzeObjects } = await loadRunbook();
    const { formatBronzeObjects } = await loadBronze();
    const objects = await bronzeObjects(lake);
    print(options, objects, () => formatBronzeObjects(objects));
  });

  withCommon(
    bronze
      .command('ignore')
      .description('record that a Bronze object is ignored (who, when, why): watch, the daily sweep and ingest never run it')
      .argument('<key>', 'the Bronze key, e.g. mortgages/transactions/ingest_date=2024-04-01/file.csv (as `bronze list` shows it)')
      .option('--by <name>', 'who decides it (required; recorded)')
      .option('--reason <text>', 'why (required; recorded)')
      .option('--json', 'print the recorded ignore as one JSON object on stdout'),
  ).action(async (key: string, options: CommonOptions & { by?: string; reason?: string }) => {
    const { requireWhoAndWhy } = await loadRetry();
    const who = requireWhoAndWhy(options, 'Ignoring a Bronze object');
    const lake = await openFor(options, 'record', 'bronze ignore');
    const { formatIgnored, ignoreBronze } = await loadRunbook();
    const record = await ignoreBronze(lake, key, who, now());
    print(options, record, () => `${record.bronze_key} is ${formatIgnored(record)}: watch, the daily sweep and ingest never run it.\n`);
  });

}
