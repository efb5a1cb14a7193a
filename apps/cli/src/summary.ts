import type { QuarantineByReason } from '@ledgerlake/domain';
import type { FileOutcome, IngestOutcome } from './ingest';
import { formatIgnored, type RollbackMark, type RunSummary } from '@ledgerlake/runbook';
import { count } from '@ledgerlake/domain';

/** What a PROMOTING run means for the person who sees it. */
const PROMOTING_NOTE =
  'its promotion had begun: it is completed by the next run in this lake or by `ledgerlake recover` once the cause is gone';

/** Why a SKIPPED run did nothing: the run that has (or had) the same content, and how it stands. */
function skippedBecause(outcome: Pick<IngestOutcome, 'duplicate_of' | 'duplicate_status'>): string {
  const by = outcome.duplicate_of === undefined ? '' : ` by run ${outcome.duplicate_of}`;
  if (outcome.duplicate_status === 'blocked' || outcome.duplicate_status === 'failed') {
    const how = outcome.duplicate_status === 'blocked' ? 'BLOCKED' : 'FAILED';
    return `already ended ${how}${by} (same content): not run again unless asked (\`ledgerlake runs rerun ${outcome.duplicate_of ?? 'RUN_ID'}\` or \`ingest --force\`)`;
  }
  if (outcome.duplicate_status === 'ignored') return 'the Bronze object was marked ignored (`ledgerlake bronze list` says by whom and why): not run';
  return `already ingested${by} (same content)`;
}

/** What a dry run found: what the gate would have done, and that nothing was published. */
function checkedVerdict(outcome: Pick<IngestOutcome, 'gate_decision' | 'reasons'>): string {
  const would = outcome.gate_decision === 'BLOCKED' ? `would be blocked: ${(outcome.reasons ?? []).join('; ')}` : 'would be published';
  return `dry run: ${would}; nothing was published`;
}

/** One line per run (`watch`): status, Bronze key, run id, duration and the gist. */
export function formatRunLine(outcome: IngestOutcome): string {
  const { counts } = outcome;
  const head = `${outcome.status.padEnd(9)} ${outcome.file}  (run ${outcome.run_id}, ${seconds(outcome.duration_ms)})`;
  switch (outcome.status) {
    case 'PUBLISHED':
      return `${head}  ${count(counts.input_rows, 'row')}: ${counts.valid_rows} valid, ${counts.quarantined_rows} quarantined, ${counts.condemned_rows} condemned\n`;
    case 'BLOCKED':
      return `${head}  blocked: ${(outcome.reasons ?? []).join('; ')}\n`;
    case 'CHECKED':
      return `${head}  ${checkedVerdict(outcome)}\n`;
    case 'SKIPPED':
      return `${head}  ${skippedBecause(outcome)}\n`;
    case 'FAILED':
      return `${head}  ${outcome.error?.name ?? 'Error'}${outcome.error?.state ? ` in ${outcome.error.state}` : ''}: ${outcome.error?.message ?? ''}\n`;
    case 'INTERRUPTED':
      return `${head}  ${outcome.interrupted?.message ?? ''}\n`;
    case 'PROMOTING':
      return outcome.interrupted !== undefined
        ? `${head}  ${outcome.interrupted.message}\n`
        : `${head}  ${PROMOTING_NOTE} (${outcome.error?.name ?? 'Error'}: ${outcome.error?.message ?? ''})\n`;
  }
}

/** The readable summary of one ingested file (a few lines, ending in a newline). */
export function formatIngestSummary(outcome: FileOutcome): string {
  if ('ignored' in outcome) {
    return `${outcome.status.padEnd(9)} ${outcome.file}  (not run)\n  ${outcome.source.key} is ${formatIgnored(outcome.ignored)}: nothing written\n`;
  }
  if (outcome.run_id === null) {
    const { error } = outcome;
    return `${outcome.status.padEnd(9)} ${outcome.file}  (not landed in Bronze, ${seconds(outcome.duration_ms)})\n  ${error.name}: ${error.message}\n`;
  }
  const { counts } = outcome;
  // A file with a header and no rows published nothing: it says so (its JSON status stays PUBLISHED).
  const empty = outcome.status === 'PUBLISHED' && counts.input_rows === 0;
  const head = `${(empty ? 'EMPTY' : outcome.status).padEnd(9)} ${outcome.file}  (run ${outcome.run_id}, ${seconds(outcome.duration_ms)})`;
  const lines = [head];
  if (empty) lines.push('  the file has a header and no rows: nothing was published');
  switch (empty ? 'EMPTY' : outcome.status) {
    case 'EMPTY':
      break;
    case 'PUBLISHED':
    case 'BLOCKED':
    case 'CHECKED':
      lines.push(
        `  ${count(counts.input_rows, 'row')}: ${counts.valid_rows} valid, ${counts.quarantined_rows} quarantined, ${counts.condemned_rows} condemned`,
      );
      if (counts.quarantined_rows > 0) lines.push(`  quarantined: ${reasons(outcome.quarantine_by_reason)}`);
      if (outcome.status === 'BLOCKED') lines.push(`  blocked: ${(outcome.reasons ?? []).join('; ')}`);
      if (outcome.status === 'CHECKED') lines.push(`  ${checkedVerdict(outcome)}`);
      if (outcome.status === 'PUBLISHED' && (outcome.partitions ?? []).length > 0) {
        lines.push(`  published: ${(outcome.partitions ?? []).map((p) => `${p.partition} (${count(p.rows, 'row')}, v${p.version})`).join(', ')}`);
      }
      break;
    case 'SKIPPED':
      lines.push(`  ${skippedBecause(outcome)}: nothing written`);
      break;
    case 'FAILED':
    case 'PROMOTING': {
      if (outcome.interrupted !== undefined) {
        lines.push(`  ${outcome.interrupted.message}`);
        break;
      }
      const error = outcome.error;
      lines.push(`  ${error?.name ?? 'Error'}${error?.state ? ` in ${error.state}` : ''}: ${error?.message ?? ''}`);
      if (outcome.hint !== undefined) lines.push(`  hint: ${outcome.hint}`);
      if (outcome.status === 'PROMOTING') lines.push(`  ${PROMOTING_NOTE}`);
      break;
    }
    case 'INTERRUPTED':
      lines.push(`  ${outcome.interrupted?.message ?? ''}`);
      break;
  }
  if ((outcome.ignored_columns ?? []).length > 0) {
    lines.push(`  ignored ${count(outcome.ignored_columns?.length ?? 0, 'column')} not in the dataset: ${outcome.ignored_columns?.join(', ')}`);
  }
  if (!(outcome.faults ?? []).some((fault) => fault.what === 'log')) lines.push(`  logs: ledgerlake logs ${outcome.run_id}`);
  if (outcome.report !== undefined) lines.push(`  report: ${outcome.report}`);
  return `${lines.join('\n')}\n`;
}

/** `ledgerlake runs` as a table. */
export function formatRunsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet (ingest a file with `ledgerlake ingest FILE`).\n';
  const rows = runs.map((run) => [
    run.run_id,
    run.status,
    run.counts?.input_rows?.toString() ?? '-',
    run.counts?.valid_rows?.toString() ?? '-',
    run.counts?.quarantined_rows?.toString() ?? '-',
    run.counts?.condemned_rows?.toString() ?? '-',
    run.duration_ms === null ? '-' : seconds(run.duration_ms),
    run.rollback !== undefined
      ? formatRollbackMark(run.rollback)
      : run.status === 'UNREADABLE' && run.error !== undefined
      ? `cannot be read: ${run.error.message}`
      : run.error !== undefined
      ? `${run.error.name}${run.error.state === null ? '' : ` in ${run.error.state}`}`
      : run.reasons !== undefined
        ? `blocked: ${run.reasons.join('; ')}`
        : run.duplicate_of !== undefined
          ? `${run.source_files.length === 0 ? '' : `${run.source_files.join(', ')}: `}duplicate of ${run.duplicate_of}`
          : run.interrupted !== undefined
            ? `interrupted by ${run.interrupted.signal} in ${run.interrupted.state}`
            : run.source_files.join(', '),
  ]);
  return formatAligned(['RUN', 'STATUS', 'INPUT', 'VALID', 'QUARANTINED', 'CONDEMNED', 'DURATION', 'DETAIL'], rows);
}

/** What `runs` says of a rollback. */
function formatRollbackMark(mark: RollbackMark): string {
  const to = mark.to_run_id === null ? 'an earlier state' : `run ${mark.to_run_id}`;
  const restored = mark.restored_version === null ? '' : ` (v${mark.restored_version})`;
  const who = mark.by === null ? ` at ${mark.at}` : ` by ${mark.by} at ${mark.at}: ${mark.reason ?? ''}`;
  return `${mark.partition} rolled back to ${to}${restored} as v${mark.version}${who}`;
}

/** A header and rows as columns two spaces apart, the last column not padded; one line each. */
export function formatAligned(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // A fold, not Math.max(...cells): any number of rows (spread arguments overflow the stack).
  const widths = header.map((title, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), title.length));
  return [header, ...rows]
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
    .join('\n')
    .concat('\n');
}

function reasons(byReason: QuarantineByReason): string {
  return Object.entries(byReason)
    .map(([code, rows]) => `${code} ${rows}`)
    .join(', ');
}

/** A duration as every command prints it: seconds with one decimal (`0.7 s`). */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
