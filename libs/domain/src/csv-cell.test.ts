import { csvCellForPeople, quoteCsvField } from './csv-cell';

describe('quoteCsvField', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(quoteCsvField('ACC001')).toBe('ACC001');
    expect(quoteCsvField('a,b')).toBe('"a,b"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField('two\nlines')).toBe('"two\nlines"');
    expect(quoteCsvField('cr\r')).toBe('"cr\r"');
  });

  it('never changes a value: a machine reads it back', () => {
    expect(quoteCsvField('=HYPERLINK("x")')).toBe('"=HYPERLINK(""x"")"');
    expect(quoteCsvField('-25.50')).toBe('-25.50');
  });
});

describe('csvCellForPeople', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\r=x', `"'\r=x"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['-1e3', "'-1e3"],
    ['- 5', "'- 5"],
    ['-', "'-"],
    ['-.5', "'-.5"],
  ])('prefixes %j with a quote: %s', (value, cell) => {
    expect(csvCellForPeople(value)).toBe(cell);
  });

  it.each(['-25.50', '+3', '-0.5', '-100', '42', '12.34'])('leaves the plain number %s as it is (a number runs nothing)', (value) => {
    expect(csvCellForPeople(value)).toBe(value);
  });

  it.each([['ACC001', 'ACC001'], ['a=b', 'a=b'], [' =1', ' =1'], ['x,y', '"x,y"'], ['', '']])('leaves %j unprefixed: %s', (value, cell) => {
    expect(csvCellForPeople(value)).toBe(cell);
  });
});
