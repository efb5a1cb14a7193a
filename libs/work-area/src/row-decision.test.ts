import { decodeRowDecision, encodeRowDecision } from './row-decision';

describe('row decision format', () => {
  it('round-trips a decision whose detail holds tabs and newlines', () => {
    const d = { index: 41, code: 'TYPE_ERROR' as const, detail: 'TransactionAmount "1\t2\n": not a decimal' };
    expect(decodeRowDecision(encodeRowDecision(d))).toEqual(d);
  });

  it('round-trips backslashes, carriage returns and a literal \\N, each line staying one line', () => {
    const d = { index: 0, code: 'SCHEMA_ERROR' as const, detail: 'C:\\N \\N x\r\ny\\t' };
    const line = encodeRowDecision(d);
    expect(line).not.toMatch(/[\n\r]/);
    expect(line.split('\t')).toHaveLength(3);
    expect(decodeRowDecision(line)).toEqual(d);
  });

  it('rejects an unknown escape', () => {
    expect(() => decodeRowDecision('3\tTYPE_ERROR\ta\\qb')).toThrow(/invalid escape/);
  });

  it('rejects a malformed line', () => {
    expect(() => decodeRowDecision('x\tTYPE_ERROR\tdetail')).toThrow(/malformed row decision/);
    expect(() => decodeRowDecision('3\tTYPE_ERROR')).toThrow(/malformed row decision/);
  });
});
