import { readLedgerEntry, readPromotionIntent, readRunRecord, settledOutcome } from '@ledgerlake/ledgers';
import { bronzeIgnoreOf, bronzeObjects, formatIgnored } from './bronze';
import { RunbookError } from './errors';
import type { Lake, Operator } from './lake';
import { requireKnownRun } from './rejected-rows';

/*
 * Running a Bronze object again on request. A content whose run ended BLOCKED or FAILED is dealt
 * with: triggers, sweeps and a plain `ingest` of the same bytes end as a no-op (loop prevention,
 * libs/ledgers `processed-file-ledger.ts`). A person re-runs it with `runs rerun RUN_ID` or
 * `ingest --force FILE`: the run carries `rerun_of` (that run), which lets loop prevention take
 * the released claim over; the run taken over is superseded (its quarantined and condemned rows
 * removed, docs/exactly-once.md), so no row is OPEN twice. A published content is never re-run.
 */

/**
 * `ingest --force`: the run whose BLOCKED or FAILED outcome the ledger holds for this content (the
 * re-run then carries it as `rerun_of`), or `undefined` when the content is new, was interrupted,
 * is held by a run, or was published (then `--force` changes nothing: it is SKIPPED).
 */
export async function forcedRerunOf(lake: Lake, contentSha256: string): Promise<string | undefined> {
  const entry = await readLedgerEntry(lake.store, lake.layout, contentSha256);
  return entry !== undefined && settledOutcome(entry) !== undefined ? entry.run_id : undefined;
}

/**
 * `runs rerun RUN_ID`: runs the Bronze object of a BLOCKED, FAILED or INTERRUPTED ingest run again,
 * as a new run. Refused (a `RunbookError`, nothing run) for an unknown or unfinished run, a
 * published one, a retry or backfill run (re-run with `quarantine retry` / `backfill`), a Bronze
 * object a person ignored, and a run whose object was run again since (re-run the latest one).
 */
export async function rerunRun<O>(operator: Operator<O>, runId: string): Promise<O> {
  const { lake } = operator;
  const record = await readRunRecord(lake.store, lake.layout, await requireKnownRun(lake, runId));
  if (record === undefined) {
    const promoting = (await readPromotionIntent(lake.store, lake.layout, runId)) !== undefined;
    throw new RunbookError(
      'not-rerunnable',
      promoting
        ? `Run ${runId} is PROMOTING: \`ledgerlake recover\` completes it; nothing was run.`
        : `The lake has no record of run ${runId} (a run still going, or one SKIPPED, has none; see \`ledgerlake runs\`); nothing was run.`,
    );
  }
  if (record.status === 'PUBLISHED') throw new RunbookError('not-rerunnable', `Run ${runId} was PUBLISHED: its file is processed, there is nothing to re-run.`);
  if (record.mode === 'retry') {
    throw new RunbookError('not-rerunnable', `Run ${runId} is a retry run: its rows are OPEN again where they came from; retry them with \`ledgerlake quarantine retry\`. Nothing was run.`);
  }
  if (record.mode === 'backfill') throw new RunbookError('not-rerunnable', `Run ${runId} is a backfill: run \`ledgerlake backfill\` again. Nothing was run.`);
  const ignored = await bronzeIgnoreOf(lake, record.source);
  if (ignored !== undefined) throw new RunbookError('not-rerunnable', `${record.source.key} is ${formatIgnored(ignored)}; nothing was run.`);
  const object = (await bronzeObjects(lake)).find((candidate) => candidate.key === record.source.key);
  if (object?.last_run !== undefined && object.last_run !== null && object.last_run.run_id !== runId) {
    throw new RunbookError(
      'not-rerunnable',
      `${record.source.key} was run again since, as run ${object.last_run.run_id} (${object.last_run.status}); re-run that one. Nothing was run.`,
    );
  }
  if (object?.state === 'RUNNING') throw new RunbookError('not-rerunnable', `${record.source.key} is held by a run in progress; nothing was run.`);
  return operator.startRun(record.source, record.source.key, { rerun_of: runId });
}
