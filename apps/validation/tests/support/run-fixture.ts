import { createHash } from 'node:crypto';
import { formatMinor, rowHashInput, rowFields } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import {
  workPartRef,
  readEnrichedPart,
  writeDecisions,
  writeEnrichedPart,
  type RowDecision,
  type WorkRow,
  writePartManifest,
} from '@ledgerlake/work-area';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';

/** The five fields in role order (id, account, amount, currency, timestamp), as a test writes them. */
type RowHashFields = Parameters<typeof rowFields>[0];

/** The run every test run belongs to. */
export const RUN: RunState['run'] = {
  run_id: '20240201T000000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ingest:20240201T000000Z',
  execution_name: '20240201T000000Z',
  started_at: '2024-02-01T00:00:00.000Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-02-01/tx.csv', etag: '"abc"' },
};

export const SOURCE_FILE_ID = 's3://bronze/mortgages/transactions/ingest_date=2024-02-01/tx.csv#abc';

let nextLine = 2;

/** A work row as enrichment would write it (hash of the fields, next source line unless given). */
export function workRow(
  fields: RowHashFields,
  options: { line?: number; attempt?: number; schemaProblem?: string } = {},
): WorkRow {
  return {
    sourceFileId: SOURCE_FILE_ID,
    sourceLine: options.line ?? nextLine++,
    attemptCount: options.attempt ?? 0,
    rowHash: createHash('sha256').update(rowHashInput(rowFields(fields))).digest('hex'),
    fields: rowFields(fields),
    schemaProblem: options.schemaProblem ?? null,
  };
}

/** Rows of the work area, per part, and loop prevention's decisions per part. */
export interface RunSpec {
  readonly parts: readonly (readonly WorkRow[])[];
  readonly condemned?: readonly (readonly RowDecision[])[];
}

/** Writes the enriched parts and loop-prevention decisions, and returns the state validation receives. */
export async function seedRun(store: ObjectStore, layout: LakeLayout, spec: RunSpec): Promise<RunState> {
  const area = layout.artifacts.workPrefix(RUN.run_id);
  const work = { bucket: area.bucket, prefix: area.prefix };
  let amount = 0n;
  const condemnedByReason: Record<string, number> = {};
  for (const [part, rows] of spec.parts.entries()) {
    const ref = workPartRef(work, 'enriched', part);
    await writeEnrichedPart(store, ref, rows);
    const condemned = spec.condemned?.[part] ?? [];
    await writeDecisions(store, workPartRef(work, 'loop-prevention', part), condemned);
    for (const decision of condemned) condemnedByReason[decision.code] = (condemnedByReason[decision.code] ?? 0) + 1;
    const written = await readEnrichedPart(store, ref);
    for (let row = 0; row < written.rows; row++) amount += written.amountOf(row) ?? 0n;
  }
  const inputRows = spec.parts.reduce((n, rows) => n + rows.length, 0);
  return {
    run: RUN,
    enrichment: {
      source_file_id: SOURCE_FILE_ID,
      content_sha256: 'a'.repeat(64),
      bytes_read: 1000,
      header: ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'],
      extra_columns: [],
      input_rows: inputRows,
      input_amount: formatMinor(amount),
      work,
      ...(await writePartManifest(store, work, spec.parts.map((rows, part) => ({ part, rows: rows.length })))),
    },
    loop_prevention: {
      status: 'CONTINUE',
      condemned_rows: Object.values(condemnedByReason).reduce((a, b) => a + b, 0),
      condemned_by_reason: condemnedByReason,
    },
  };
}
