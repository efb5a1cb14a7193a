import type { QuarantineByReason } from '@ledgerlake/domain';
import type { RunDetail, RunPartition } from '@ledgerlake/runbook';
import { seconds } from './summary';
import { count } from '@ledgerlake/domain';

function formatPlacement(p: RunPartition): string {
  if (p.version === null && !p.in_current_version) return 'not published';
  const published = p.version === null ? 'published' : `published as version ${p.version}`;
  if (p.in_current_version) return p.current_version === p.version ? published : `${published}, still in the current version ${p.current_version}`;
  const removed = p.removed_by;
  if (removed === undefined) return `${published}, no longer published (current version ${p.current_version ?? 'none'})`;
  const what = removed.kind === 'rollback' ? `rollback to run ${removed.run_id ?? '?'}'s state` : `${removed.kind} of run ${removed.run_id ?? removed.committed_by}`;
  const who = removed.by === null ? `by the pipeline at ${removed.at}` : `by ${removed.by} at ${removed.at}: ${removed.reason ?? ''}`;
  return `${published}, no longer published: removed by version ${removed.version} (${what}, ${who})`;
}

/** The readable form of `runs show`. */
export function formatRunDetail(run: RunDetail): string {
  const lines = [`Run ${run.run_id}: ${run.status}${run.mode === null ? '' : ` (mode ${run.mode}${run.backfill_month === undefined ? '' : `, month ${run.backfill_month}`})`}`];
  lines.push(`  source: ${run.source_files.join(', ') || 'unknown'}`);
  if (run.counts !== null) {
    const c = run.counts;
    lines.push(`  rows: ${c.input_rows ?? '?'} in, ${c.valid_rows ?? '?'} valid, ${c.quarantined_rows ?? '?'} quarantined, ${c.condemned_rows ?? '?'} condemned`);
  }
  const reasons = (counts: QuarantineByReason) => Object.entries(counts).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  lines.push(`  quarantined by reason: ${reasons(run.quarantine_by_reason)}`);
  lines.push(`  condemned by reason: ${reasons(run.condemned_by_reason)}`);
  for (const p of run.partitions) lines.push(`  partition ${p.partition}: ${count(p.rows, 'row')}, ${formatPlacement(p)}`);
  lines.push(`  started ${run.timings.started_at ?? '?'}, ended ${run.timings.ended_at ?? '?'}, ${run.timings.duration_ms === null ? 'duration ?' : `duration ${seconds(run.timings.duration_ms)}`}`);
  if (run.retry !== undefined) lines.push(`  retry of run ${run.retry.source_run_id} (${run.retry.kind}, ${count(run.retry.rows, 'row')}, requested by ${run.retry.requested_by})`);
  if (run.duplicate_of !== undefined) lines.push(`  duplicate of run ${run.duplicate_of}`);
  if (run.error !== undefined) lines.push(`  error: ${run.error.name} in ${run.error.state ?? '?'}: ${run.error.message}`);
  for (const reason of run.reasons ?? []) lines.push(`  blocked: ${reason}`);
  if (run.interrupted !== undefined) lines.push(`  interrupted by ${run.interrupted.signal} in ${run.interrupted.state}: nothing published`);
  return `${lines.join('\n')}\n`;
}
