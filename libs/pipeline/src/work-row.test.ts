import { decodeWorkRow, encodeWorkRow, escapeField, unescapeField, type WorkRow } from './work-row';

const row = (over: Partial<WorkRow> = {}): WorkRow => ({
  sourceFileId: 's3://bronze/a.csv#v1',
  sourceLine: 2,
  attemptCount: 0,
  rowHash: 'ab'.repeat(32),
  fields: ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'],
  schemaProblem: null,
  ...over,
});

describe('work row format', () => {
  it('round-trips a plain row', () => {
    const r = row();
    expect(decodeWorkRow(encodeWorkRow(r))).toEqual(r);
  });

  it('round-trips tabs, newlines, carriage returns, backslashes and a literal \\N', () => {
    const r = row({ fields: ['a\tb', 'line1\nline2', 'x\r\ny', 'C:\\N', '\\N'], sourceFileId: 'weird\tid' });
    const line = encodeWorkRow(r);
    expect(line).not.toMatch(/[\n\r]/);
    expect(line.split('\t')).toHaveLength(10);
    expect(decodeWorkRow(line)).toEqual(r);
  });

  it('keeps null (absent field) apart from the empty string', () => {
    const r = row({ fields: ['', null, '', null, ''], schemaProblem: 'record has 3 fields; the header has 5' });
    expect(decodeWorkRow(encodeWorkRow(r))).toEqual(r);
  });

  it('rejects a line with the wrong number of columns', () => {
    expect(() => decodeWorkRow('a\tb')).toThrow(/work row has 2 columns, expected 10/);
  });

  it('rejects a line whose lineage is not numeric', () => {
    const line = encodeWorkRow(row()).replace('\t2\t', '\tx\t');
    expect(() => decodeWorkRow(line)).toThrow(/malformed work row lineage/);
  });

  it('rejects an unknown escape', () => {
    expect(() => unescapeField('a\\qb')).toThrow(/invalid escape/);
  });

  it('escapes only what needs it', () => {
    expect(escapeField('plain value')).toBe('plain value');
    expect(escapeField(null)).toBe('\\N');
    expect(unescapeField('\\N')).toBeNull();
  });
});
