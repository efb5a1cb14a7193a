import { decodeRowDecision, encodeRowDecision } from './row-decision';

describe('row decision format', () => {
  it('round-trips a decision whose detail holds tabs and newlines', () => {
    const d = { index: 41, code: 'TYPE_ERROR' as const, detail: 'TransactionAmount "1\t2\n": not a decimal' };
    expect(decodeRowDecision(encodeRowDecision(d))).toEqual(d);
  });

  it('rejects a malformed line', () => {
    expect(() => decodeRowDecision('x\tTYPE_ERROR\tdetail')).toThrow(/malformed row decision/);
    expect(() => decodeRowDecision('3\tTYPE_ERROR')).toThrow(/malformed row decision/);
  });
});
