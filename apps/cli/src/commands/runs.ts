import type { Command } from 'commander';
import { parseLimit, parseSince, parseStatuses } from '../arguments';
import { CliError, EXIT } from '../cli-error';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadIngest, loadRunDetail, loadRunReport, loadRunbook, loadStageRuns, loadSummary } from '../loaders';

/** `ledgerlake runs`, `runs show`, `runs report`, `runs rerun`: what the lake records of its runs, and re-running one. */
export function registerRuns(program: Command, ctx: CommandContext): void {
  const { io, now, withCommon, withRunFlags, stageCloudRuns, operator, openFor, print } = ctx;
  const runsCommand = program.command('runs');

  withCommon(
    runsCommand
      .description('list the runs of the lake, newest first: status, counts, duration (`runs show RUN_ID` for one run)')
      .option('--status <status,...>', 'only runs in these statuses, comma-separated (PUBLISHED, BLOCKED, FAILED, …: as `runs` shows them)', parseStatuses)
      .option('--since <time>', 'only runs started since then: an ISO date or time (2024-05-01, 2024-05-01T10:00Z) or a time ago (90m, 12h, 7d)', (value) => parseSince(value, now()))
      .option('--limit <n>', 'only the newest N runs', parseLimit)
      .option('--json', 'print one JSON array on stdout'),
  ).action(async (options: CommonOptions & { status?: string[]; since?: Date; limit?: number }) => {
    const { filterRuns, listRuns, RUN_STATUSES } = await loadRunbook();
    const { formatRunsTable } = await loadSummary();
    const wrong = (options.status ?? []).filter((status) => !(RUN_STATUSES as readonly string[]).includes(status));
    if (wrong.length > 0) throw new CliError(`--status ${wrong.join(', ')} is not a run status (one of ${RUN_STATUSES.join(', ')}).`, EXIT.usage);
    const lake = await openFor(options, 'read', 'runs');
    const cloud = await stageCloudRuns();
    const all = cloud === undefined ? await listRuns(lake) : await (await loadStageRuns()).withExecutions(await listRuns(lake), cloud);
    const runs = filterRuns(all, {
      ...(options.status === undefined ? {} : { statuses: options.status as import('@ledgerlake/runbook').RunSummary['status'][] }),
      ...(options.since === undefined ? {} : { since: options.since }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    });
    print(options, runs, () => formatRunsTable(runs));
  });


  withCommon(
    runsCommand
      .command('show')
      .description("one run: status, mode, counts by reason (quarantined and condemned), partitions and their published versions, timings, errors or gate reasons, source file")
      .argument('<run_id>', 'the run, as `ledgerlake runs` lists it')
      .option('--open', "open the run's report (runs/<run_id>/report.html) in the desktop's viewer (a lake folder only)")
      .option('--json', 'print one JSON object on stdout'),
  ).action(async (runId: string, options: CommonOptions & { open?: boolean }) => {
    const { formatRunDetail } = await loadRunDetail();
    const { RunbookError, showRun } = await loadRunbook();
    const lake = await openFor(options, 'read', 'runs show');
    const cloud = await stageCloudRuns();
    let run;
    if (cloud === undefined) run = await showRun(lake, runId);
    else {
      const { executionOnlyDetail, withExecution } = await loadStageRuns();
      const execution = await cloud.execution(runId).catch(() => undefined);
      const detail = await showRun(lake, runId).catch((error: unknown) => {
        // A run only its execution knows of yet (running, skipped, ended past every Catch).
        if (execution !== undefined && error instanceof RunbookError) return executionOnlyDetail(runId);
        throw error;
      });
      run = withExecution(detail, execution);
    }
    const { openReport, writtenReport } = await loadRunReport();
    const report = ctx.state.opened === undefined ? undefined : await writtenReport(lake, ctx.state.opened.kind, runId);
    const shown = report === undefined ? run : { ...run, report };
    io.stdout.write(options.json === true ? `${JSON.stringify(shown, null, 2)}\n` : `${formatRunDetail(run)}${report === undefined ? '' : `  report: ${report}\n`}`);
    if (options.open === true) {
      if (report === undefined) throw new CliError(`Run ${runId} has no report yet: build it with \`ledgerlake runs report ${runId}\`.`);
      if (ctx.state.opened?.kind === 'stage' || !(await openReport(report))) io.stderr.write(`ledgerlake: no viewer to open it here; the report is ${report}\n`);
    }
  });


  withCommon(
    runsCommand
      .command('report')
      .description("write the run's report (runs/<run_id>/report.html: verdict, reconciliation, source, months, rejected rows, timeline, trail) and the runs' index again from what the lake holds now; prints where it is")
      .argument('<run_id>', 'the run, as `ledgerlake runs` lists it')
      .option('--json', 'print one JSON object {run_id, report, bytes, status} on stdout'),
  ).action(async (runId: string, options: CommonOptions) => {
    const lake = await openFor(options, 'record', 'runs report');
    const rebuilt = await (await loadRunReport()).rebuildRunReport(lake, ctx.state.opened as import('../target').LakeTarget, runId);
    print(options, rebuilt, () => `Report of run ${runId} (${rebuilt.status}): ${rebuilt.report}\n`);
  });


  withRunFlags(withCommon(
    runsCommand
      .command('rerun')
      .description(
        "run the Bronze object of a BLOCKED, FAILED or INTERRUPTED run again, as a new run (watch and the daily sweep never " +
          'run a BLOCKED or FAILED object again by themselves); the earlier run is superseded: its quarantined rows are decided again',
      )
      .argument('<run_id>', 'the run, as `ledgerlake runs` lists it')
      .option('--json', 'print one JSON object on stdout, as ingest --json prints a run, plus rerun_of'),
  )).action(async (runId: string, options: CommonOptions) => {
    const lake = await openFor(options, 'start', 'runs rerun');
    const { rerunRun } = await loadRunbook();
    const { ingestExitCode } = await loadIngest();
    const { formatIngestSummary } = await loadSummary();
    const outcome = await rerunRun(await operator(lake, options), runId);
    print(options, outcome, () => `Re-ran the Bronze object of run ${runId}.\n${formatIngestSummary(outcome)}`);
    ctx.state.exitCode = ingestExitCode([outcome]);
  });

}
