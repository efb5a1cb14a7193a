import type { Command } from 'commander';
import { EXIT } from '../cli-error';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadRecover, loadRunbook } from '../loaders';

/** `ledgerlake recover`: complete the promotions a stopped run left pending. */
export function registerRecover(program: Command, ctx: CommandContext): void {
  const { io, now, wiring, withCommon, stageCloudRuns, openFor } = ctx;
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
    ctx.state.verbose = options.verbose === true;
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
    if (result.failed.length > 0) ctx.state.exitCode = EXIT.failed;
  });

}
