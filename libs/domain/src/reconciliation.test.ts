import { reconciliationProblems } from './reconciliation';

const counts = { input_rows: 10, valid_rows: 7, quarantined_rows: 2, condemned_rows: 1 };
const amounts = { input_minor: '1000', valid_minor: '1500', quarantined_minor: '-600', condemned_minor: '100' };

describe('reconciliationProblems', () => {
  it('is empty when counts and amounts add up', () => {
    expect(reconciliationProblems(counts, amounts)).toEqual([]);
  });

  it('checks only counts when no amounts are given', () => {
    expect(reconciliationProblems(counts)).toEqual([]);
  });

  it('describes a row count mismatch', () => {
    expect(reconciliationProblems({ ...counts, input_rows: 11 })).toEqual([
      'input_rows 11 != valid_rows 7 + quarantined_rows 2 + condemned_rows 1 (= 10)',
    ]);
  });

  it('describes an amount mismatch exactly, beyond float precision', () => {
    const big = { input_minor: '9007199254740993', valid_minor: '9007199254740992', quarantined_minor: '0', condemned_minor: '0' };
    expect(reconciliationProblems(counts, big)).toEqual([
      'input_minor 9007199254740993 != valid_minor 9007199254740992 + quarantined_minor 0 + condemned_minor 0 (= 9007199254740992)',
    ]);
  });

  it('reports both mismatches', () => {
    expect(reconciliationProblems({ ...counts, valid_rows: 0 }, { ...amounts, condemned_minor: '0' })).toHaveLength(2);
  });
});
