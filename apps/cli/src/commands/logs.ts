import type { Command } from 'commander';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadLogs, loadStageLogs } from '../loaders';

/** `ledgerlake logs RUN_ID`: a run's log lines (a lake folder's logs.jsonl, a stage's CloudWatch Logs). */
export function registerLogs(program: Command, ctx: CommandContext): void {
  const { io, now, withCommon, openFor } = ctx;
  withCommon(
    program
      .command('logs')
      .description("show a run's log lines and metric records (a lake folder keeps them in artifacts/runs/<run_id>/logs.jsonl; a stage's are read from CloudWatch Logs with Logs Insights)")
      .argument('<run_id>', 'the run, as `ledgerlake runs` lists it')
      .option('--level <level>', 'only lines of this level and above (DEBUG, INFO, WARN, ERROR); hides metric records')
      .option('--function <name>', 'only lines of this function, e.g. validation')
      .option('--json', 'print the records as one JSON array on stdout'),
  ).action(async (runId: string, options: CommonOptions & { level?: string; function?: string }) => {
    const { formatLogRecord, runLogs } = await loadLogs();
    const lake = await openFor(options, 'read', 'logs');
    const filter = { level: options.level, function: options.function };
    let records;
    if (ctx.state.opened?.kind === 'stage') {
      const found = await (await loadStageLogs()).stageRunLogs(lake, ctx.state.opened, runId, filter, {
        now,
        ...(io.aws?.logs === undefined ? {} : { logs: io.aws.logs }),
        ...(io.aws?.pollMs === undefined ? {} : { pollMs: io.aws.pollMs }),
      });
      records = found.records;
      if (found.truncated) io.stderr.write(`ledgerlake: showing the first ${records.length} lines (Logs Insights' limit per query): narrow with --function or --level.\n`);
    } else records = await runLogs(lake, runId, filter);
    io.stdout.write(
      options.json === true
        ? `${JSON.stringify(records, null, 2)}\n`
        : records.map((record) => `${formatLogRecord(record)}\n`).join(''),
    );
  });

}
