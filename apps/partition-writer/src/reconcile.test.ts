import type { ReconciliationInput } from './reconcile';
import { reconcile } from './reconcile';

const AGREED: ReconciliationInput = {
  counts: { input_rows: 10, valid_rows: 7, quarantined_rows: 2, condemned_rows: 1 },
  amounts: { input_minor: '1000', valid_minor: '700', quarantined_minor: '-50', condemned_minor: '350' },
  quarantineByReason: { TYPE_ERROR: 2 },
  condemnedByReason: { MAX_ATTEMPTS: 1 },
  validation: { valid_rows: 7, quarantined_rows: 2, quarantine_by_reason: { TYPE_ERROR: 2 } },
  loopPrevention: { status: 'CONTINUE', condemned_rows: 1, condemned_by_reason: { MAX_ATTEMPTS: 1 } },
};

describe('reconcile', () => {
  it('finds nothing when counts, amounts and stages agree', () => {
    expect(reconcile(AGREED)).toEqual([]);
  });

  it('names an amount sum that does not add up', () => {
    expect(reconcile({ ...AGREED, amounts: { ...AGREED.amounts, condemned_minor: '351' } })).toEqual([
      'reconciliation: input_minor 1000 != valid_minor 700 + quarantined_minor -50 + condemned_minor 351 (= 1001)',
    ]);
  });

  it('names a stage whose counts differ from where the rows went', () => {
    const problems = reconcile({
      ...AGREED,
      loopPrevention: { status: 'CONTINUE', condemned_rows: 2, condemned_by_reason: { DUPLICATE_FAILURE: 2 } },
    });

    expect(problems).toEqual([
      'reconciliation: loop_prevention condemned_rows reported 2, partition writer routed 1',
      'reconciliation: loop_prevention condemned_by_reason DUPLICATE_FAILURE reported 2, routed 0, MAX_ATTEMPTS reported 0, routed 1',
    ]);
  });

  it('treats a code left out and a code counted zero alike', () => {
    expect(reconcile({ ...AGREED, quarantineByReason: { TYPE_ERROR: 2, SCHEMA_ERROR: 0 } })).toEqual([]);
  });
});
