import { createHash } from 'node:crypto';
import { DEFAULT_ROW_RULE_SETTINGS, formatMinor, rowHashInput, rowFields, rowRules, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { type RunState } from '@ledgerlake/contract';
import {
  readEnrichedPart,
  validateEnrichedRow,
  ValidatedPartBuilder,
  writeValidatedPart,
  workPartRef,
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
  run_id: '20240501T000000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ingest:20240501T000000Z',
  execution_name: '20240501T000000Z',
  started_at: '2024-05-01T00:00:00.000Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-05-01/tx.csv', etag: '"abc"' },
};

export const SOURCE_FILE_ID = 's3://bronze/mortgages/transactions/ingest_date=2024-05-01/tx.csv#abc';

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

/** Rows of the work area per part, and loop prevention's decisions per part. */
export interface RunSpec {
  readonly parts: readonly (readonly WorkRow[])[];
  readonly condemned?: readonly (readonly RowDecision[])[];
}

/**
 * Writes a run's work area as the earlier stages would leave it — enriched rows, loop
 * prevention's and validation's decisions and validated parts (validation as the validation
 * function does it, with the pipeline's `validateEnrichedRow`) — and returns the state the partition
 * writer receives.
 */
export async function seedValidatedRun(store: ObjectStore, layout: LakeLayout, spec: RunSpec): Promise<RunState> {
  const area = layout.artifacts.workPrefix(RUN.run_id);
  const work = { bucket: area.bucket, prefix: area.prefix };
  const rules = rowRules(DEFAULT_ROW_RULE_SETTINGS, RUN.started_at, TRANSACTIONS_DATASET);
  let amount = 0n;
  let valid = 0;
  const quarantineByReason: Record<string, number> = {};
  const condemnedByReason: Record<string, number> = {};
  for (const [part, rows] of spec.parts.entries()) {
    const condemned = spec.condemned?.[part] ?? [];
    const condemnedAt = new Set(condemned.map((d) => d.index));
    const quarantined: RowDecision[] = [];
    const validated = new ValidatedPartBuilder(rows.length);
    const ref = workPartRef(work, 'enriched', part);
    await writeEnrichedPart(store, ref, rows);
    const enriched = await readEnrichedPart(store, ref);
    rows.forEach((_row, index) => {
      amount += enriched.amountOf(index) ?? 0n;
      if (condemnedAt.has(index)) {
        validated.condemned();
        return;
      }
      const result = validateEnrichedRow(enriched, index, rules);
      if (result.ok) {
        valid++;
        validated.valid(result);
      } else {
        quarantined.push({ index, code: result.code, detail: result.detail });
        quarantineByReason[result.code] = (quarantineByReason[result.code] ?? 0) + 1;
        validated.quarantined();
      }
    });
    for (const decision of condemned) condemnedByReason[decision.code] = (condemnedByReason[decision.code] ?? 0) + 1;
    await writeDecisions(store, workPartRef(work, 'loop-prevention', part), condemned);
    await writeDecisions(store, workPartRef(work, 'validation', part), quarantined);
    await writeValidatedPart(store, workPartRef(work, 'validated', part), validated.build());
  }
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    run: RUN,
    enrichment: {
      source_file_id: SOURCE_FILE_ID,
      content_sha256: 'a'.repeat(64),
      bytes_read: 1000,
      header: ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'],
      extra_columns: [],
      input_rows: spec.parts.reduce((n, rows) => n + rows.length, 0),
      input_amount: formatMinor(amount),
      work,
      ...(await writePartManifest(store, work, spec.parts.map((rows, part) => ({ part, rows: rows.length })))),
    },
    loop_prevention: { status: 'CONTINUE', condemned_rows: sum(condemnedByReason), condemned_by_reason: condemnedByReason },
    validation: { valid_rows: valid, quarantined_rows: sum(quarantineByReason), quarantine_by_reason: quarantineByReason },
  };
}
