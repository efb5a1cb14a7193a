import type { Command } from 'commander';
import { CliError, EXIT } from './cli-error';
import type { CliIo } from './cli-io';
import { colourStatuses, coloursWanted } from './colours';
import type { RunFault } from './ingest';
import type { LocalWiring } from './local-lake';
import { loadAlerts, loadCloudRuns, loadLake, loadLakeFolder, loadRetry, loadRunReport, loadSettings, loadStageLake, loadStageSql, loadTarget } from './loaders';
import type { TargetOptions } from './target';

/*
 * What every command shares (commands/*.ts): the command's world (io, clock), the options every
 * command takes, how a command opens its lake (a folder or a stage), starts runs there, prints,
 * and reports faults; and what the commands leave for main.ts (the exit code, --verbose, --json,
 * the target opened).
 */

/** The options every command takes, before or after its name. */
export const GLOBAL_OPTIONS: readonly (readonly [string, string])[] = [
  ['--lake <dir>', 'the lake folder (default: $LEDGERLAKE_LAKE, else ledgerlake.config.json, else ./lake)'],
  ['--stage <name>', 'a deployed stage instead of a lake folder (default: $LEDGERLAKE_STAGE, else ledgerlake.config.json)'],
  ['--region <region>', "the stage's AWS region (default: ledgerlake.config.json, else the AWS SDK's: $AWS_REGION, ~/.aws/config)"],
  ['--profile <name>', 'the AWS profile to reach the stage with (default: ledgerlake.config.json, else $AWS_PROFILE)'],
  ['--verbose', 'show stack traces of unexpected errors'],
];

/** The options every command takes (`GLOBAL_OPTIONS`, `--json`), and those of the commands that start runs. */
export interface CommonOptions extends TargetOptions {
  readonly verbose?: boolean;
  readonly json?: boolean;
  /** Commands that start runs: no progress line, no alert line (`--quiet`); no alert at all (`--no-alerts`: `alerts` false). */
  readonly quiet?: boolean;
  readonly alerts?: boolean;
}

/** A deployed stage as a command reaches it. */
export type StageTargetOf = import('./stage-lake').StageTarget;

/** What the commands leave for main.ts to report. */
export interface CommandState {
  exitCode: number;
  verbose: boolean;
  json: boolean;
  /** The target `openFor` last opened: a stage's runs start on its state machine. */
  opened: import('./target').LakeTarget | undefined;
}

/** The shared helpers of the commands (see the module comment). */
export type CommandContext = ReturnType<typeof createCommandContext>;

/** The commands' shared helpers over `io`. */
export function createCommandContext(io: CliIo) {
  const now = io.now ?? (() => new Date());
  const state: CommandState = { exitCode: EXIT.ok, verbose: false, json: false, opened: undefined };
  /** Human output with status colours on a terminal (colours.ts: none in a pipe or with NO_COLOR). */
  const human = (text: string): string => (coloursWanted(io.stdout, io.env) ? colourStatuses(text) : text);
  /** A fault around a run (its log not written, …): one sentence on stderr; its stack only with --verbose. */
  const reportFault = ({ message, error }: RunFault): void => {
    io.stderr.write(`ledgerlake: ${message}${/[.!?]$/.test(message) ? '' : '.'}\n`);
    if (state.verbose && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
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

  /** The runs of the stage `openFor` opened, through its state machines; `undefined` on a lake folder. */
  let cloudRuns: import('./cloud-runs').CloudRuns | undefined;
  const stageCloudRuns = async () => {
    if (state.opened?.kind !== 'stage') return undefined;
    cloudRuns ??= (await loadCloudRuns()).cloudRuns({
      target: state.opened,
      ...(io.aws?.sfn === undefined ? {} : { sfn: io.aws.sfn }),
      ...(io.aws?.pollMs === undefined ? {} : { pollMs: io.aws.pollMs }),
      ...(io.aws?.startTimeoutMs === undefined ? {} : { startTimeoutMs: io.aws.startTimeoutMs }),
      // A line redrawn in place on a terminal; nothing in a pipe or with --json.
      onProgress: (line: string) => {
        if (!state.json && io.stderr.isTTY === true) io.stderr.write(`\r${line}\x1b[K`);
      },
    });
    return cloudRuns;
  };
  /** On a stage: how its runs start (through the starter) and how a landed file's run is followed; `{}` on a lake folder. */
  const stageRunOptions = async () => {
    const cloud = await stageCloudRuns();
    return cloud === undefined ? {} : { startRun: cloud.start, followLanded: cloud.followLanded };
  };
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
    state.opened = target;
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
      await (await loadRunReport()).rebuildRunReport(lake, state.opened as import('./target').LakeTarget, runId);
    } catch (error) {
      reportFault({ what: 'report', message: `The report of run ${runId} could not be updated: ${(error as Error).message}`, error });
    }
  };
  const print = (options: CommonOptions, value: unknown, text: () => string): void => {
    io.stdout.write(options.json === true ? `${JSON.stringify(value, null, 2)}\n` : human(text()));
  };

  return {
    io,
    now,
    state,
    human,
    reportFault,
    wiring,
    withCommon,
    withRunFlags,
    stageCloudRuns,
    stageRunOptions,
    stageSql,
    runAlerts,
    runOptions,
    operator,
    openFor,
    refreshReport,
    print,
  };
}
