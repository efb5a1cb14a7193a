import { InvalidEventError, LakeStateError, type RowErrorCode, rowRules, type RowRules } from '@ledgerlake/domain';
import { type PartValidation, requireContinue, type TaskEvent } from '@ledgerlake/contract';
import { assertBreakerClosed } from '@ledgerlake/ledgers';
import {
  readDecisions,
  readEnrichedPart,
  type RowDecision,
  ValidatedPartBuilder,
  validateEnrichedRow,
  type WorkArea,
  workPartRef,
  writeDecisions,
  writeValidatedPart,
} from '@ledgerlake/work-area';
import type { ObjectStore } from '@ledgerlake/storage';
import type { ValidationDeps } from './settings';

/**
 * `ValidatePart`: validates one enriched work part (docs/contract/rules.md, "Validation") — skips the rows loop
 * prevention condemned, runs the checks in contract order on the rest, writes the part's
 * decisions (`<work>/validation/part-NNNNN.tsv`) — after checking that the circuit breaker is
 * closed, so that a breaker tripped by another run stops the remaining parts. The breaker itself
 * is evaluated once for the whole run, by `checkBreaker`, when every part is written.
 */
export async function validatePart(event: TaskEvent<'ValidatePart'>, deps: ValidationDeps): Promise<PartValidation> {
  requireContinue(event.loop_prevention, 'ValidatePart');
  const { part, rows } = event.part;
  if (part >= event.enrichment.part_span) {
    throw new InvalidEventError('ValidatePart', [
      `part: work part ${part} (${rows} rows) is not one of run ${event.run.run_id}'s enriched parts (numbered below ${event.enrichment.part_span})`,
    ]);
  }
  await assertBreakerClosed(deps.store, deps.layout);
  const rules = rowRules(deps.settings.rules, event.run.started_at, deps.layout.dataset);
  return validatePartRows(deps.store, event.enrichment.work, event.part, rules);
}

/**
 * Validates the rows of one work part and writes its decisions (`validation/`: each quarantined
 * row's code and detail) and its validated part for the writer (`validated/`: every row's fate,
 * the typed values of the valid ones); the core of `validatePart`. `rules` are compiled for the run
 * (`rowRules(settings, run.started_at, dataset)`).
 */
export async function validatePartRows(
  store: ObjectStore,
  work: WorkArea,
  { part, rows: expected }: { readonly part: number; readonly rows: number },
  rules: RowRules,
): Promise<PartValidation> {
  const condemned = await readDecisions(store, workPartRef(work, 'loop-prevention', part));
  const quarantineByReason: Partial<Record<RowErrorCode, number>> = {};
  const decisions: RowDecision[] = [];
  const validated = new ValidatedPartBuilder(expected);
  let valid = 0;
  const rows = await readEnrichedPart(store, workPartRef(work, 'enriched', part));
  if (rows.rows !== expected) throw new LakeStateError(`validation: work part ${part} holds ${rows.rows} rows; enrichment reported ${expected}`);
  for (let at = 0; at < rows.rows; at++) {
    if (condemned.has(at)) {
      validated.condemned();
      continue;
    }
    const result = validateEnrichedRow(rows, at, rules);
    if (result.ok) {
      valid++;
      validated.valid(result);
    } else {
      quarantineByReason[result.code] = (quarantineByReason[result.code] ?? 0) + 1;
      decisions.push({ index: at, code: result.code, detail: result.detail });
      validated.quarantined();
    }
  }
  await writeDecisions(store, workPartRef(work, 'validation', part), decisions);
  // Last: the writer reads the decisions with it (a part cut short by a fault is an error here, never a shorter part).
  await writeValidatedPart(store, workPartRef(work, 'validated', part), validated.build());
  return {
    part,
    valid_rows: valid,
    quarantined_rows: decisions.length,
    quarantine_by_reason: quarantineByReason,
  };
}

