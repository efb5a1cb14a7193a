import type { Command } from 'commander';
import { parseMonth } from '../arguments';
import type { CommandContext, CommonOptions, StageTargetOf } from '../command-context';
import { loadBalancesReport } from '../loaders';

/** `ledgerlake report balances`: the month-end balance report. */
export function registerReport(program: Command, ctx: CommandContext): void {
  const { io, withCommon, stageSql, openFor } = ctx;
  const report = program.command('report').description('reports over the published tables');

  withCommon(
    report
      .command('balances')
      .description('month-end balance history per account and currency (sql/duckdb/reports/month-end-balances.sql)')
      .requiredOption('--from <YYYY-MM>', 'first month', parseMonth)
      .requiredOption('--to <YYYY-MM>', 'last month (inclusive)', parseMonth)
      .option('--json', 'print one JSON array of {acct, balance, month, currency} on stdout; balance is an exact string or null'),
  ).action(async (options: CommonOptions & { from: string; to: string }) => {
    const { formatBalancesReport, monthEndBalances } = await loadBalancesReport();

    const lake = await openFor(options, 'read', 'report balances');
    const result =
      ctx.state.opened?.kind === 'stage'
        ? await stageSql(ctx.state.opened, (stage, athena) => stage.stageMonthEndBalances(ctx.state.opened as StageTargetOf, options.from, options.to, athena))
        : await monthEndBalances(lake, options.from, options.to);
    io.stdout.write(options.json === true ? `${JSON.stringify(result.rows, null, 2)}\n` : await formatBalancesReport(result, options.from, options.to));
  });

}
