import type { Command } from 'commander';
import type { CommandContext, CommonOptions } from '../command-context';
import { loadRetry, loadRunbook } from '../loaders';

/** `ledgerlake breaker status|reset`: the circuit breaker. */
export function registerBreaker(program: Command, ctx: CommandContext): void {
  const { now, withCommon, openFor, print } = ctx;
  const breaker = program.command('breaker').description('the circuit breaker (docs/contract/rules.md, "Circuit breaker"): its state, and a recorded reset');

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

}
