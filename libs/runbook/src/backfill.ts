import { ObjectConflictError } from '@ledgerlake/domain';
import { RunbookError } from './errors';
import { newBackfillRunId, type Operator } from './lake';

/** What `backfill --json` prints. */
export type BackfillOutcome<O> = O & {
  readonly backfill_month: string;
  readonly files: readonly string[];
};

/**
 * `backfill --month YYYY-MM FILE...`: lands the files (as one) in Bronze and runs them as a backfill
 * run (`backfill-<timestamp>`, mode backfill, backfill_month): through the same gate, the month's
 * published state is replaced by the run's rows, other months get theirs appended, and Gold is
 * rebuilt from the earliest month touched on.
 */
export async function backfillMonth<O>(
  operator: Operator<O>,
  month: string,
  input: {
    /** The files' names, as the outcome lists them. */
    readonly files: readonly string[];
    /** Their rows as one CSV (a header, then every file's rows), streamed. */
    readonly bytes: AsyncIterable<Uint8Array>;
    /** The bytes are gzip (one `.gz` file as it is). */
    readonly gzip: boolean;
  },
): Promise<BackfillOutcome<O>> {
  const { lake } = operator;
  const runId = newBackfillRunId(operator.now());
  const source = lake.layout.bronze.backfillFile(operator.now().toISOString().slice(0, 10), month, runId, input.gzip);
  try {
    await lake.store.putIfAbsent(source, input.bytes);
  } catch (error) {
    if (error instanceof ObjectConflictError) throw new RunbookError('bronze-conflict', `Bronze already holds ${source.key}; nothing was backfilled.`);
    throw error;
  }
  const outcome = await operator.startRun(source, input.files.join(', '), { runId, mode: 'backfill', backfill_month: month });
  return { ...outcome, backfill_month: month, files: input.files };
}
