import { resolve } from 'node:path';
import { Argument, Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { version as CLI_VERSION } from '../package.json';
import { CliError, EXIT } from './cli-error';
import { colourStatuses, coloursWanted } from './colours';
import type { FileOutcome, RunFault } from './ingest';
import type { SignalSource } from './interrupts';
import type { LocalWiring } from './local-lake';
import type { AwsClients } from './stage-lake';
import type { TargetOptions } from './target';
import { type DailyTime, parseDailyTime } from './schedule';

/*
 * The commands' modules (the functions, Parquet, the state machine runner) load only when a
 * command runs, so that `--help` and usage errors answer without loading them.
 */
const loadIngest = () => import('./ingest');
const loadInputFiles = () => import('./input-files');
const loadLake = () => import('./local-lake');
const loadLakeFolder = () => import('./lake-folder');
const loadLogs = () => import('./logs');
const loadProgress = () => import('./progress');
const loadSummary = () => import('./summary');
const loadWatch = () => import('./watch');
const loadQuery = () => import('./query');
const loadSqlOutput = () => import('./sql-output');
const loadBalancesReport = () => import('./balances-report');
const loadPromote = () => import('./promote');
const loadHistory = () => import('./partition-history');
const loadAlerts = () => import('./local-alerts');
const loadSettings = () => import('./local-settings');
const loadRunbook = () => import('./runbook');
const loadRetry = () => import('./retry');
const loadRunDetail = () => import('./run-detail');
const loadRecover = () => import('./recover');
const loadInterrupts = () => import('./interrupts');
const loadTarget = () => import('./target');
const loadStageLake = () => import('./stage-lake');
const loadCloudRuns = () => import('./cloud-runs');
const loadBronze = () => import('./bronze');
const loadStageLogs = () => import('./stage-logs');
const loadStageSql = () => import('./stage-sql');
const loadStageRuns = () => import('./stage-runs');
const loadRunReport = () => import('./run-report');

/** The options every command takes, before or after its name. */
const GLOBAL_OPTIONS: readonly (readonly [string, string])[] = [
  ['--lake <dir>', 'the lake folder (default: $LEDGERLAKE_LAKE, else ledgerlake.config.json, else ./lake)'],
  ['--stage <name>', 'a deployed stage instead of a lake folder (default: $LEDGERLAKE_STAGE, else ledgerlake.config.json)'],
  ['--region <region>', "the stage's AWS region (default: ledgerlake.config.json, else the AWS SDK's: $AWS_REGION, ~/.aws/config)"],
  ['--profile <name>', 'the AWS profile to reach the stage with (default: ledgerlake.config.json, else $AWS_PROFILE)'],
  ['--verbose', 'show stack traces of unexpected errors'],
];

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

/** A stream the command writes to (process.stdout / stderr, or a capture in tests). */
export interface CliOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width (the progress line is cut to fit). */
  readonly columns?: number;
}

/** The command's world: its output streams, environment, working directory and clock. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Fault injection and retry timing of the runs (tests); default the real wiring. */
  readonly wiring?: LocalWiring;
  /** Stops `watch` (tests); without it, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  /** Where `ingest` gets SIGINT and SIGTERM from, and how it exits at once on a second one; default `process`. */
  readonly process?: SignalSource;
  /** The AWS clients a `--stage` command makes (tests point them at local servers); default the SDK's. */
  readonly aws?: AwsClients;
}

interface CommonOptions extends TargetOptions {
  readonly verbose?: boolean;
  readonly json?: boolean;
  /** Commands that start runs: no progress line, no alert line (`--quiet`); no alert at all (`--no-alerts`: `alerts` false). */
  readonly quiet?: boolean;
  readonly alerts?: boolean;
}

/**
 * The `ledgerlake` command: `argv` are the user's arguments (no `node` or script path). Resolves to
 * the exit code (PRODUCT.md §11): 0 published or skipped, 1 failed, 2 wrong usage, 3 blocked,
 * 130 / 143 interrupted by SIGINT / SIGTERM.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const now = io.now ?? (() => new Date());
  let exitCode: number = EXIT.ok;
  let verbose = false;
  let json = false;

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
      verbose = options.verbose === true;
      json = options.json === true;
    });
  for (const [flags, description] of GLOBAL_OPTIONS) program.option(flags, description);
  program.option('--json', 'JSON on stdout (each command says what it prints; errors too)');
  program.addHelpText('after', `${EXIT_CODES_HELP}\n\n${EXAMPLES_HELP}`);

  /** Human output with status colours on a terminal (colours.ts: none in a pipe or with NO_COLOR). */
  const human = (text: string): string => (coloursWanted(io.stdout, io.env) ? colourStatuses(text) : text);
  /** A fault around a run (its log not written, …): one sentence on stderr; its stack only with --verbose. */
  const reportFault = ({ message, error }: RunFault): void => {
    io.stderr.write(`ledgerlake: ${message}${/[.!?]$/.test(message) ? '' : '.'}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  };

  /** The runs' wiring: the functions' settings from the environment (as in the cloud), then the test's. */
  const wiring = async (): Promise<LocalWiring> => (await loadSettings()).wiringFromEnv(io.env, io.wiring);

  const withCommon = (command: Command): Command => {
    for (const [flags, description] of GLOBAL_OPTIONS) command.option(flags, description);
    return command;
  };
  /** The options of a command that starts runs. */
  const withRunFlags = (command: Command): Command =>
    command
      .option('--quiet', 'no progress line and no line for an alert kept in the lake (errors and the summary still print)')
      .option('--no-alerts', 'deliver no alert for a failed or blocked run (neither Slack nor the lake)');

  withRunFlags(withCommon(
    program
      .command('ingest')
      .description('land each file in Bronze and run the state machine on it')
      .argument('<file...>', 'CSV files to ingest')
      .option('--workers <n>', "worker threads for a large file's parallel steps (default: one per core; 0: none)", parseWorkers)
      .option('--force', 'run a file whose content already ended BLOCKED or FAILED again (a published one stays SKIPPED)')
      .option('--dry-run', 'check each file end to end up to the promotion gate and publish nothing (status CHECKED; exit 3 if the gate would block)')
      .option('--json', 'print one JSON array (one object per file) on stdout and nothing else'),
  )).action(async (files: string[], options: CommonOptions & { workers?: number; force?: boolean; dryRun?: boolean }) => {
    const { checkInputFiles, checkLandingNames, openInputFile } = await loadInputFiles();
    const { ingestExitCode, ingestFile, sha256Of } = await loadIngest();
    const { explainFileOutcome } = await import('./file-hints');
    const { localDefinition } = await loadLake();
    const { startProgress } = await loadProgress();
    const { formatIngestSummary } = await loadSummary();
    const inputs = await checkInputFiles(files, io.cwd);
    checkLandingNames(inputs);
    const lake = await openFor(options, 'land', 'ingest');
    if (opened?.kind === 'stage' && options.dryRun === true) {
      throw new CliError(
        `\`ingest --dry-run\` does not take --stage (stage ${opened.stage}): a file landed in its Bronze starts a real run. A stage's dry run is its smoke test (docs/deploy.md).`,
        EXIT.usage,
      );
    }
    const definition = localDefinition();
    const runWiring = { ...(await wiring()), ...(options.workers === undefined ? {} : { workers: options.workers }) };
    const onStage = await stageRunOptions();
    const alerts = await runAlerts(options, lake, runWiring);
    const live = options.json !== true && options.quiet !== true && io.stdout.isTTY === true && io.stderr.isTTY === true;
    const outcomes: FileOutcome[] = [];
    let progress: ReturnType<typeof startProgress> | undefined;
    // The first SIGINT/SIGTERM stops the run in progress (settled, then the command ends); a second one exits at once.
    const interrupts = (await loadInterrupts()).listenForInterrupts(io.process ?? process, (signal) => {
      progress?.stop();
      io.stderr.write(`ledgerlake: ${signal}: stopping the run and cleaning up (a second signal exits at once, without cleaning up).\n`);
    });
    try {
      for (const [index, input] of inputs.entries()) {
        if (interrupts.signal.aborted) {
          const rest = inputs.slice(index).map((file) => file.path);
          io.stderr.write(`ledgerlake: Interrupted: ${rest.length === 1 ? '1 file' : `${rest.length} files`} not ingested: ${rest.join(', ')}.\n`);
          break;
        }
        progress = live ? startProgress(io.stderr, input.path) : undefined;
        const rerunOf = options.force === true ? await (await loadRunbook()).forcedRerunOf(lake, await sha256Of(openInputFile(input))) : undefined;
        try {
          outcomes.push(
            await explainFileOutcome(await ingestFile(lake, input, {
              definition,
              now,
              onState: (name) => progress?.state(name),
              onStateExited: (name, output) => progress?.exited(name, output),
              wiring: runWiring,
              alerts,
              onFault: (fault) => {
                progress?.stop();
                reportFault(fault);
              },
              interrupt: interrupts.signal,
              ...onStage,
              ...(rerunOf === undefined && options.dryRun !== true
                ? {}
                : { run: { ...(rerunOf === undefined ? {} : { rerun_of: rerunOf }), ...(options.dryRun === true ? { dry_run: true as const } : {}) } }),
            }), input),
          );
        } finally {
          progress?.stop();
        }
        if (options.json !== true) io.stdout.write(human(formatIngestSummary(outcomes[outcomes.length - 1] as FileOutcome)));
      }
      if (options.json === true) io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      exitCode = ingestExitCode(outcomes);
    } finally {
      interrupts.dispose();
    }
  });

  withRunFlags(withCommon(
    program
      .command('watch')
      .description(
        'watch Bronze (bronze/mortgages/transactions/ingest_date=*/) and run the state machine once per new object; ' +
          'stop with Ctrl-C (SIGINT) or SIGTERM',
      )
      .option('--interval <seconds>', 'seconds between two listings of Bronze', parseInterval, 2)
      .option('--daily <HH:MM>', 'also, every day at this time (UTC), run every Bronze object not yet processed', parseDaily)
      .option('--once', 'run every Bronze object not yet processed, then exit (exit code as for ingest)')
      .option('--json', 'print one JSON object per run (one line each) on stdout'),
  )).action(async (options: CommonOptions & { interval: number; daily?: DailyTime; once?: boolean }) => {
    const { ingestExitCode } = await loadIngest();
    const { localDefinition } = await loadLake();
    const { formatRunLine } = await loadSummary();
    const { watchBronze } = await loadWatch();
    const lake = await openFor(options, 'watch', 'watch');
    const watchWiring = await wiring();
    const alerts = await runAlerts(options, lake, watchWiring);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    io.signal?.addEventListener('abort', onSignal);
    if (io.signal === undefined && options.once !== true) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    try {
      const outcomes = await watchBronze(lake, {
        run: { definition: localDefinition(), now, wiring: watchWiring, alerts, onFault: reportFault },
        intervalMs: options.interval * 1000,
        ...(options.daily === undefined ? {} : { daily: options.daily }),
        once: options.once === true,
        signal: stop.signal,
        onOutcome: (outcome, trigger) =>
          io.stdout.write(options.json === true ? `${JSON.stringify({ trigger, ...outcome })}\n` : human(formatRunLine(outcome))),
      });
      exitCode = options.once === true ? ingestExitCode(outcomes) : EXIT.ok;
    } finally {
      io.signal?.removeEventListener('abort', onSignal);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  });

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
    const report = opened === undefined ? undefined : await writtenReport(lake, opened.kind, runId);
    const shown = report === undefined ? run : { ...run, report };
    io.stdout.write(options.json === true ? `${JSON.stringify(shown, null, 2)}\n` : `${formatRunDetail(run)}${report === undefined ? '' : `  report: ${report}\n`}`);
    if (options.open === true) {
      if (report === undefined) throw new CliError(`Run ${runId} has no report yet: build it with \`ledgerlake runs report ${runId}\`.`);
      if (opened?.kind === 'stage' || !(await openReport(report))) io.stderr.write(`ledgerlake: no viewer to open it here; the report is ${report}\n`);
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
    const rebuilt = await (await loadRunReport()).rebuildRunReport(lake, opened as import('./target').LakeTarget, runId);
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
    exitCode = ingestExitCode([outcome]);
  });

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
    if (opened?.kind === 'stage') {
      const found = await (await loadStageLogs()).stageRunLogs(lake, opened, runId, filter, {
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

  withCommon(
    program
      .command('promote')
      .description(
        "roll a month back to its published state right after an earlier run's promotion (or promote a run never " +
          'promoted there, through the gate), as a new version recording who asked, when and why (nothing is committed ' +
          'when the month already shows that state); Gold is rebuilt from that month on',
      )
      .requiredOption('--run <run_id>', 'the run, as `ledgerlake runs` lists it')
      .requiredOption('--partition <YYYY-MM>', 'the Silver month', parseMonth)
      .option('--by <name>', 'who asks for it (required; recorded in the version)')
      .option('--reason <text>', 'why (required; recorded in the version)')
      .option('--json', 'print one JSON object on stdout'),
  ).action(async (options: CommonOptions & { run: string; partition: string; by?: string; reason?: string }) => {
    const requested = (await loadRetry()).requireWhoAndWhy(options, 'A promotion or rollback');
    const { describeRestoreError, formatPromoteOutcome, promotePartition, promoteRequest } = await loadPromote();
    const lake = await openFor(options, 'start', 'promote');
    await (await loadRunbook()).requireKnownRun(lake, options.run);
    const request = { runId: options.run, partition: options.partition, requested };
    const cloud = await stageCloudRuns();
    let outcome;
    if (cloud === undefined) outcome = await promotePartition(lake, request, { now, wiring: await wiring() });
    else {
      // The starter runs the same core in the promotion function, held by its execution (named with the operation id).
      const restore = promoteRequest(request, now());
      outcome = (await cloud.operate(restore.operation_id, { restore }).catch(async (error: unknown) => {
        const { StageOperationError } = await loadCloudRuns();
        throw (error instanceof StageOperationError ? describeRestoreError(error, options.run) : undefined) ?? error;
      })) as import('./promote').PromoteOutcome;
    }
    if (outcome.committed) await refreshReport(lake, options.run);
    io.stdout.write(options.json === true ? `${JSON.stringify(outcome, null, 2)}\n` : formatPromoteOutcome(outcome));
  });

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

  withCommon(
    program
      .command('recover')
      .description(
        'complete every promotion left half-done by a run that died (each month committed, its catalog entry, Gold, ' +
          'the run record PUBLISHED): what the next run does first, on demand',
      )
      .option('--force', 'also complete promotions whose process still looks alive')
      .option('--json', 'print one JSON object on stdout: recovered, live, failed'),
  ).action(async (options: CommonOptions & { force?: boolean }) => {
    verbose = options.verbose === true;
    const { formatRecovery, recoverLake } = await loadRecover();
    const lake = await openFor(options, 'start', 'recover');
    const cloud = await stageCloudRuns();
    const result =
      cloud === undefined
        ? await recoverLake(lake, { now, wiring: await wiring(), force: options.force === true })
        : ((await cloud.operate(`recover-${now().toISOString().replace(/\D/g, '').slice(0, 14)}-${(await loadRunbook()).randomSuffix()}`, {
            recover: { force: options.force === true },
          })) as import('@ledgerlake/promotion').RecoveryResult);
    io.stdout.write(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatRecovery(result));
    if (result.failed.length > 0) exitCode = EXIT.failed;
  });

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
  ).action(async (sqlArgument: string | undefined, options: CommonOptions & { file?: string; format?: import('./sql-output').SqlFormat; output?: string }) => {
    const query = await loadQuery();
    const sql = await query.querySql(sqlArgument, options.file, io.cwd);
    const format = options.format ?? (options.json === true ? 'json' : 'table');
    const lake = await openFor(options, 'read', 'query');
    const output: import('./query').QueryOutput =
      options.output === undefined ? { kind: 'stdout', sink: io.stdout, terminal: io.stdout.isTTY === true } : { kind: 'file', path: resolve(io.cwd, options.output) };
    let written;
    if (opened?.kind === 'stage') {
      if (format === 'parquet') throw new CliError('--format parquet writes with the local engine: on a stage, query with --format csv or json (Athena keeps its own results in the workgroup\'s result location).', EXIT.usage);
      const result = await stageSql(opened, (stage, athena) => stage.stageQuery(opened as StageTargetOf, sql, athena));
      const { streamOf, writeRows } = await loadSqlOutput();
      written =
        output.kind === 'stdout' ? await writeRows(streamOf(result), format, output.sink, output.terminal) : await query.writeToFile(streamOf(result), format, output.path);
    } else {
      written = await query.queryLakeTo(lake, sql, format, output);
    }
    if (output.kind === 'file') io.stderr.write(`ledgerlake: wrote ${written.rows.toLocaleString('en-US')} ${written.rows === 1 ? 'row' : 'rows'} to ${options.output} (${format}).\n`);
  });

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
      opened?.kind === 'stage'
        ? await stageSql(opened, (stage, athena) => stage.stageMonthEndBalances(opened as StageTargetOf, options.from, options.to, athena))
        : await monthEndBalances(lake, options.from, options.to);
    io.stdout.write(options.json === true ? `${JSON.stringify(result.rows, null, 2)}\n` : await formatBalancesReport(result, options.from, options.to));
  });

  /** The target `openFor` last opened: a stage's runs start on its state machine. */
  let opened: import('./target').LakeTarget | undefined;
  /** The runs of the stage `openFor` opened, through its state machines; `undefined` on a lake folder. */
  let cloudRuns: import('./cloud-runs').CloudRuns | undefined;
  const stageCloudRuns = async () => {
    if (opened?.kind !== 'stage') return undefined;
    cloudRuns ??= (await loadCloudRuns()).cloudRuns({
      target: opened,
      ...(io.aws?.sfn === undefined ? {} : { sfn: io.aws.sfn }),
      ...(io.aws?.pollMs === undefined ? {} : { pollMs: io.aws.pollMs }),
      ...(io.aws?.startTimeoutMs === undefined ? {} : { startTimeoutMs: io.aws.startTimeoutMs }),
      // A line redrawn in place on a terminal; nothing in a pipe or with --json.
      onProgress: (line: string) => {
        if (!json && io.stderr.isTTY === true) io.stderr.write(`\r${line}\x1b[K`);
      },
    });
    return cloudRuns;
  };
  /** On a stage: how its runs start (through the starter) and how a landed file's run is followed; `{}` on a lake folder. */
  const stageRunOptions = async () => {
    const cloud = await stageCloudRuns();
    return cloud === undefined ? {} : { startRun: cloud.start, followLanded: cloud.followLanded };
  };
  type StageTargetOf = import('./stage-lake').StageTarget;
  /** A stage query on Athena, then what it scanned against the workgroup's cut-off on stderr. */
  const stageSql = async (
    target: StageTargetOf,
    run: (stage: typeof import('./stage-sql'), athena: import('./stage-sql').StageSqlOptions) => Promise<import('./stage-sql').StageSqlResult>,
  ) => {
    const stage = await loadStageSql();
    const result = await run(stage, {
      ...(io.aws?.athena === undefined ? {} : { athena: io.aws.athena }),
      ...(io.aws?.pollMs === undefined ? {} : { pollMs: io.aws.pollMs }),
    });
    io.stderr.write(`${stage.describeScan(result, target)}\n`);
    return result;
  };
  /** Where a failed or blocked run's alert goes: Slack, else kept in the lake with one line on stderr; nowhere with --no-alerts. */
  const runAlerts = async (options: CommonOptions, lake: import('./lake-folder').LocalLake, runWiring: LocalWiring) =>
    options.alerts === false
      ? undefined
      : (await loadAlerts()).createLocalAlerts({ lake, env: io.env, stderr: io.stderr, wiring: runWiring, quiet: options.quiet === true, now });
  /** What a runbook command runs a retry or backfill with: the same as `ingest`; on a stage, its state machine. */
  const runOptions = async (lake: import('./lake-folder').LocalLake, options: CommonOptions) => {
    const runWiring = await wiring();
    const onStage = await stageRunOptions();
    return {
      definition: (await loadLake()).localDefinition(),
      now,
      wiring: runWiring,
      alerts: await runAlerts(options, lake, runWiring),
      onFault: reportFault,
      ...onStage,
    };
  };
  /** The runbook's operator on the lake: runs start as `runOptions` says. */
  const operator = async (lake: import('./lake-folder').LocalLake, options: CommonOptions) => (await loadRetry()).operatorFor(lake, await runOptions(lake, options));
  /**
   * The lake a command works on (`target.ts`): a lake folder, or a deployed stage's buckets.
   * `access`: `read` (on a stage also Athena and CloudWatch Logs), `record` (writes of runbook
   * records only), `start` (starts runs: in-process on a lake folder, on the stage's state machine
   * through its starter, `runOptions`) and `land` (lands files in Bronze and follows their runs)
   * work on both; `watch` only on a lake folder.
   */
  const openFor = async (options: CommonOptions, access: 'read' | 'record' | 'start' | 'land' | 'watch', command: string) => {
    const target = await (await loadTarget()).resolveTarget(options, io.env, io.cwd);
    opened = target;
    if (target.kind === 'local') return (await loadLakeFolder()).openLake(target.dir, access === 'read' ? 'read' : 'write');
    if (access === 'watch') {
      throw new CliError(
        `\`ledgerlake ${command}\` does not take --stage (stage ${target.stage}): on a stage, Bronze's Object Created rule starts a run for every landed file and the daily sweep catches any it missed (docs/deploy.md). Land a file with \`ledgerlake ingest FILE --stage ${target.stage}\`.`,
        EXIT.usage,
      );
    }
    return (await loadStageLake()).openStageLake(target, io.aws);
  };
  /** A decision about a run's rows (a rejection, a rollback) shows on its report: written again; a failure to is a fault line, never the command's failure. */
  const refreshReport = async (lake: import('./lake-folder').LocalLake, runId: string): Promise<void> => {
    try {
      await (await loadRunReport()).rebuildRunReport(lake, opened as import('./target').LakeTarget, runId);
    } catch (error) {
      reportFault({ what: 'report', message: `The report of run ${runId} could not be updated: ${(error as Error).message}`, error });
    }
  };
  const print = (options: CommonOptions, value: unknown, text: () => string): void => {
    io.stdout.write(options.json === true ? `${JSON.stringify(value, null, 2)}\n` : human(text()));
  };

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
    const { formatRows } = await import('./rejected-listing');
    const { retryWatch, writeFixesTemplate } = await import('./retry');
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
    exitCode = ingestExitCode([outcome]);
  });

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
    const { formatRows } = await import('./rejected-listing');
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
    exitCode = ingestExitCode([outcome]);
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

  const breaker = program.command('breaker').description('the circuit breaker (PRODUCT.md §3.5): its state, and a recorded reset');
  withCommon(
    breaker
      .command('status')
      .description('open or closed; when open, the code, rows and window that tripped it; every reset (who, when, why)')
      .option('--json', 'print the breaker state (control/circuit-breaker.json) as one JSON object on stdout'),
  ).action(async (options: CommonOptions) => {
    const lake = await openFor(options, 'read', 'breaker status');
    const { breakerStatus, formatBreaker } = await loadRunbook();
    const state = await breakerStatus(lake);
    print(options, state, () => formatBreaker(state));
  });
  withCommon(
    breaker
      .command('reset')
      .description('close the breaker so that runs start again, recording who, when and why; the failures that tripped it no longer count')
      .option('--by <name>', 'who resets it (required; recorded)')
      .option('--reason <text>', 'why (required; recorded)')
      .option('--json', 'print the new breaker state as one JSON object on stdout'),
  ).action(async (options: CommonOptions & { by?: string; reason?: string }) => {
    const { requireWhoAndWhy } = await loadRetry();
    const who = requireWhoAndWhy(options, 'A breaker reset');
    const lake = await openFor(options, 'record', 'breaker reset');
    const { breakerReset, formatBreaker } = await loadRunbook();
    const state = await breakerReset(lake, { ...who, at: now() });
    print(options, state, () => formatBreaker(state));
  });

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
    exitCode = ingestExitCode([outcome]);
  });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(ledgerlake completion bash)" in ~/.bashrc (zsh: ~/.zshrc)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: import('./completion').CompletionShell) => {
      const { completionScript } = await import('./completion');
      const tree = (command: Command): import('./completion').CompletionNode => ({
        name: command.name(),
        options: command.options.flatMap((option) => (option.long === undefined ? [] : [option.long])),
        commands: command.commands.filter((child) => child.name() !== 'completion').map(tree),
      });
      io.stdout.write(completionScript(shell, tree(program)));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // With --json (also when commander refused the arguments before any action ran) the error is
    // JSON on stdout too: `{"error": {code, message, exit_code}}` — stdout never stays empty.
    const asJson = json || argv.includes('--json');
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
    io.stderr.write(verbose ? `${unexpected.stack ?? ''}\n` : '(run again with --verbose for the stack trace)\n');
    return report({ code: 'internal-error', message: unexpected.message, exitCode: EXIT.failed, name: unexpected.name });
  }
}

function parseStatuses(value: string): string[] {
  return value.split(',').map((status) => status.trim().toUpperCase());
}

/** `--since`: an ISO date or time, or a time ago (`90m`, `12h`, `7d`). */
export function parseSince(value: string, now: Date): Date {
  const ago = /^(\d+)([mhd])$/.exec(value.trim());
  if (ago !== null) return new Date(now.getTime() - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']);
  const at = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) ? new Date(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim()) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) throw new InvalidArgumentError(`expected an ISO date or time (2024-05-01, 2024-05-01T10:00Z) or a time ago (90m, 12h, 7d), got '${value}'`);
  return at;
}

function parseLimit(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new InvalidArgumentError(`expected a positive number of runs, got '${value}'`);
  return Number(value);
}

function parseDaily(value: string): DailyTime {
  try {
    return parseDailyTime(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError(`expected a month YYYY-MM, got '${value}'`);
  return value;
}

function parseWorkers(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count > 256) throw new InvalidArgumentError(`expected a number of worker threads 0..256, got '${value}'`);
  return count;
}

function parseInterval(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0)) throw new InvalidArgumentError(`expected a positive number of seconds, got '${value}'`);
  return seconds;
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
