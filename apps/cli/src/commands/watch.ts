import type { Command } from 'commander';
import { parseDaily, parseInterval } from '../arguments';
import { EXIT } from '../cli-error';
import type { CommandContext, CommonOptions } from '../command-context';
import type { DailyTime } from '../schedule';
import { loadIngest, loadLake, loadSummary, loadWatch } from '../loaders';

/** `ledgerlake watch`: the local stand-in for the triggers — every new Bronze object run once, `--daily` sweeps, `--once`. */
export function registerWatch(program: Command, ctx: CommandContext): void {
  const { io, now, human, reportFault, wiring, withCommon, withRunFlags, runAlerts, openFor } = ctx;
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
      ctx.state.exitCode = options.once === true ? ingestExitCode(outcomes) : EXIT.ok;
    } finally {
      io.signal?.removeEventListener('abort', onSignal);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  });

}
