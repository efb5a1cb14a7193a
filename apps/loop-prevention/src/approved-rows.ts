import { RunbookRefusedError } from '@ledgerlake/domain';
import { readCondemnedDecision, readRetryRecord } from '@ledgerlake/ledgers';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/**
 * The rows a retry run may process past the attempt limit: those of a recorded approval
 * (docs/contract/interfaces.md, "Runbook operations"; who, when, why) that names this run as the one re-submitting them. The hashes
 * are the rows as re-submitted (corrected or not), from the run's retry record. Without both
 * records the run fails (`RunbookRefusedError`): nothing condemned is reprocessed unapproved.
 */
export async function approvedRowHashes(
  store: ObjectStore,
  layout: LakeLayout,
  runId: string,
  approvalId: string,
): Promise<ReadonlySet<string>> {
  const decision = await readCondemnedDecision(store, layout, approvalId);
  if (decision?.decision !== 'approve' || decision.retry_run_id !== runId) {
    throw new RunbookRefusedError(
      `loop-prevention: run ${runId} names approval ${approvalId}, but no approval of that id re-submits rows as this run`,
    );
  }
  const record = await readRetryRecord(store, layout, runId);
  if (record?.approval_id !== approvalId) {
    throw new RunbookRefusedError(`loop-prevention: run ${runId} has no retry record for approval ${approvalId}`);
  }
  return new Set(record.rows.map((row) => row.new_row_hash));
}
