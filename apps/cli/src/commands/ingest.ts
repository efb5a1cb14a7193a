import type { Command } from 'commander';
import { parseWorkers } from '../arguments';
import { CliError, EXIT } from '../cli-error';
import type { CommandContext, CommonOptions } from '../command-context';
import type { FileOutcome } from '../ingest';
import { loadIngest, loadInputFiles, loadInterrupts, loadLake, loadProgress, loadRunbook, loadSummary } from '../loaders';

/** `ledgerlake ingest FILE...`: land each file in Bronze and run the state machine on it (live progress on a terminal, a summary per file). */
export function registerIngest(program: Command, ctx: CommandContext): void {
  const { io, now, human, reportFault, wiring, withCommon, withRunFlags, stageRunOptions, runAlerts, openFor } = ctx;
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
    const { explainFileOutcome } = await import('../file-hints');
    const { localDefinition } = await loadLake();
    const { startProgress } = await loadProgress();
    const { formatIngestSummary } = await loadSummary();
    const inputs = await checkInputFiles(files, io.cwd);
    checkLandingNames(inputs);
    const lake = await openFor(options, 'land', 'ingest');
    if (ctx.state.opened?.kind === 'stage' && options.dryRun === true) {
      throw new CliError(
        `\`ingest --dry-run\` does not take --stage (stage ${ctx.state.opened.stage}): a file landed in its Bronze starts a real run. A stage's dry run is its smoke test (docs/deploy.md).`,
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
      ctx.state.exitCode = ingestExitCode(outcomes);
    } finally {
      interrupts.dispose();
    }
  });

}
