import type { Command } from 'commander';
import { parseMonth } from '../arguments';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadHistory, loadRunbook } from '../loaders';

/** `ledgerlake partitions history YYYY-MM`: a Silver month's versions. */
export function registerPartitions(program: Command, ctx: CommandContext): void {
  const { io, withCommon, openFor } = ctx;
  const partitions = program.command('partitions').description('the published Silver months: what each version did, for which run, who asked');

  withCommon(
    partitions
      .command('history')
      .description(
        "a Silver month's versions, newest first: kind (promotion, backfill, rollback), the run it published or restored, " +
          'rows, who asked for it, when and why',
      )
      .argument('<YYYY-MM>', 'the Silver month', parseMonth)
      .option('--json', 'print one JSON object on stdout'),
  ).action(async (month: string, options: CommonOptions) => {
    const { formatPartitionHistory } = await loadHistory();
    const { partitionHistory } = await loadRunbook();
    const history = await partitionHistory(await openFor(options, 'read', 'partitions history'), month);
    io.stdout.write(options.json === true ? `${JSON.stringify(history, null, 2)}\n` : formatPartitionHistory(history));
  });

}
