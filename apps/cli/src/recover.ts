import { LOCAL_LIVENESS } from '@ledgerlake/ledgers';
import { recoverPromotions, type RecoveryResult } from '@ledgerlake/promotion';
import type { LocalLake } from './lake-folder';
import { type LocalWiring, promotionBackends, sharedCompressor } from './local-lake';

/**
 * `ledgerlake recover`: rolls forward every promotion of the lake left half-done (docs/exactly-once.md)
 * whose holder is gone — the same completion the next run does first — or, with `force`, every
 * pending one. One that still cannot complete (the fault is still there) is reported and kept.
 */
export async function recoverLake(
  lake: LocalLake,
  options: { readonly now: () => Date; readonly wiring?: LocalWiring; readonly force?: boolean },
): Promise<RecoveryResult> {
  return recoverPromotions(
    {
      store: lake.store,
      layout: lake.layout,
      ...promotionBackends(lake, options.wiring),
      now: options.now,
      compressor: sharedCompressor(),
      liveness: options.wiring?.liveness ?? LOCAL_LIVENESS,
    },
    { force: options.force === true },
  );
}

/** The readable report of a recovery. */
export function formatRecovery(result: RecoveryResult): string {
  const lines: string[] = [];
  for (const runId of result.recovered) lines.push(`RECOVERED ${runId}: its promotion is complete (PUBLISHED)`);
  for (const runId of result.live) lines.push(`LIVE      ${runId}: its promotion is in progress in a live process; left to it (--force to complete it anyway)`);
  for (const { run_id, error } of result.failed) lines.push(`PENDING   ${run_id}: cannot be completed yet: ${error}`);
  if (lines.length === 0) lines.push('Nothing to recover: no promotion is pending.');
  return `${lines.join('\n')}\n`;
}
