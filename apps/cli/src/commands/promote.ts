import type { Command } from 'commander';
import { parseMonth } from '../arguments';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadCloudRuns, loadPromote, loadRetry, loadRunbook } from '../loaders';

/** `ledgerlake promote`: roll a month back to its state right after a run (or promote a run never promoted there). */
export function registerPromote(program: Command, ctx: CommandContext): void {
  const { io, now, wiring, withCommon, stageCloudRuns, openFor, refreshReport } = ctx;
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
      })) as import('../promote').PromoteOutcome;
    }
    if (outcome.committed) await refreshReport(lake, options.run);
    io.stdout.write(options.json === true ? `${JSON.stringify(outcome, null, 2)}\n` : formatPromoteOutcome(outcome));
  });

}
