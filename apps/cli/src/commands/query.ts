import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { CliError, EXIT } from '../cli-error';
import type { CommandContext, CommonOptions, StageTargetOf } from '../command-context';
import { loadQuery, loadSqlOutput } from '../loaders';

/** `ledgerlake query`: one read-only SQL query over the lake, streamed in the format asked for. */
export function registerQuery(program: Command, ctx: CommandContext): void {
  const { io, withCommon, stageSql, openFor } = ctx;
  withCommon(
    program
      .command('query')
      .description(
        'run one read-only SQL query over the published tables (silver.transactions, gold.account_balances, gold.monthly_reports) ' +
          'and quarantine.rows, quarantine.condemned; rows are streamed (any size): an aligned table by default ' +
          '(on a terminal its first rows, then a note with the count)',
      )
      .argument('[sql]', 'the SQL (DuckDB dialect; Athena on a stage), as one argument, e.g. "SELECT count(*) FROM silver.transactions"')
      .option('--file <file.sql>', 'read the SQL from this file instead')
      .addOption(new Option('--format <format>', 'table, json (exact: decimals as strings, "326.00"; NULL as null), csv, markdown, or parquet (with --output)').choices(['table', 'json', 'csv', 'markdown', 'parquet']))
      .option('--output <file>', 'write the rows to this file (complete, or not at all) instead of stdout')
      .option('--json', 'the same as --format json (and errors as JSON on stdout)'),
  ).action(async (sqlArgument: string | undefined, options: CommonOptions & { file?: string; format?: import('../sql-output').SqlFormat; output?: string }) => {
    const query = await loadQuery();
    const sql = await query.querySql(sqlArgument, options.file, io.cwd);
    const format = options.format ?? (options.json === true ? 'json' : 'table');
    const lake = await openFor(options, 'read', 'query');
    const output: import('../query').QueryOutput =
      options.output === undefined ? { kind: 'stdout', sink: io.stdout, terminal: io.stdout.isTTY === true } : { kind: 'file', path: resolve(io.cwd, options.output) };
    let written;
    if (ctx.state.opened?.kind === 'stage') {
      if (format === 'parquet') throw new CliError('--format parquet writes with the local engine: on a stage, query with --format csv or json (Athena keeps its own results in the workgroup\'s result location).', EXIT.usage);
      const result = await stageSql(ctx.state.opened, (stage, athena) => stage.stageQuery(ctx.state.opened as StageTargetOf, sql, athena));
      const { streamOf, writeRows } = await loadSqlOutput();
      written =
        output.kind === 'stdout' ? await writeRows(streamOf(result), format, output.sink, output.terminal) : await query.writeToFile(streamOf(result), format, output.path);
    } else {
      written = await query.queryLakeTo(lake, sql, format, output);
    }
    if (output.kind === 'file') io.stderr.write(`ledgerlake: wrote ${written.rows.toLocaleString('en-US')} ${written.rows === 1 ? 'row' : 'rows'} to ${options.output} (${format}).\n`);
  });

}
