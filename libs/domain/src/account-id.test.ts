import { accountIdPatternProblem, accountIdProblem, accountIdRule, DEFAULT_ACCOUNT_ID_PATTERN, describeCharacter } from './account-id';

const rule = accountIdRule(DEFAULT_ACCOUNT_ID_PATTERN, 64);

describe('accountIdProblem', () => {
  it('passes ordinary ids on the fast path and the slow one', () => {
    expect(accountIdProblem('ACC001', rule)).toBeUndefined();
    expect(accountIdProblem('Konto Müller 7', rule)).toBeUndefined();
  });

  it('gives the position in characters, an emoji counting as one', () => {
    expect(accountIdProblem('😀😀\u200b', rule)).toBe('contains U+200B ZERO WIDTH SPACE at position 3');
  });

  it('counts a lone surrogate as one character, and refuses it', () => {
    expect(accountIdProblem('AB\ud800', rule)).toBe('contains U+D800 (an unpaired surrogate) at position 3');
    expect(accountIdProblem('\ud800B', accountIdRule(DEFAULT_ACCOUNT_ID_PATTERN, 1))).toBe('is 2 characters long; at most 1 allowed');
  });

  it('refuses a leading tab or CR (spreadsheet formula triggers) as the control characters they are', () => {
    expect(accountIdProblem('\t=1', rule)).toBe('contains U+0009 CHARACTER TABULATION at position 1');
    expect(accountIdProblem('\r=1', rule)).toBe('contains U+000D CARRIAGE RETURN at position 1');
  });

  it('refuses a double quote by default, and lets an id through a pattern that is not the default', () => {
    expect(accountIdProblem('A"B', rule)).toBe('does not match the account id pattern [^,"]+');
    expect(accountIdProblem('A"B', accountIdRule('.+', 64))).toBeUndefined();
  });

  it('checks the length before scanning the characters', () => {
    expect(accountIdProblem(`${'\u200b'.repeat(100)}`, rule)).toBe('is 100 characters long; at most 64 allowed');
  });
});

describe('describeCharacter', () => {
  it.each([
    ['\u0007', 'U+0007 (a control character)'],
    ['\u0094', 'U+0094 (a control character)'],
    ['\u2061', 'U+2061 (a format character)'],
    ['\u{e0001}', 'U+E0001 (a format character)'],
    ['\ue000', 'U+E000 (a private-use character)'],
    ['\u2003', 'U+2003 (a space other than U+0020)'],
    ['\u2029', 'U+2029 PARAGRAPH SEPARATOR'],
  ])('names %j as %s', (character, expected) => {
    expect(describeCharacter(character)).toBe(expected);
  });
});

describe('accountIdPatternProblem and accountIdRule', () => {
  it('accepts a pattern that compiles with the u flag', () => {
    expect(accountIdPatternProblem('[A-Z]{3}\\d+')).toBeUndefined();
    expect(accountIdPatternProblem('\\p{L}+')).toBeUndefined();
  });

  it('says why a pattern does not compile, without repeating it', () => {
    expect(accountIdPatternProblem('(abc')).toBe('is not a valid regular expression (Unterminated group)');
    expect(accountIdPatternProblem('\\p{Nope}')).toBe('is not a valid regular expression (Invalid property name)');
  });

  it('anchors the pattern at both ends', () => {
    expect(accountIdProblem('xACC1', accountIdRule('ACC\\d', 64))).toBe('does not match the account id pattern ACC\\d');
    expect(accountIdProblem('ACC1|x', accountIdRule('ACC\\d|x', 64))).toBe('does not match the account id pattern ACC\\d|x');
  });

  it('throws on settings configuration refuses', () => {
    expect(() => accountIdRule('(', 64)).toThrow(/account id pattern "\(" is not a valid regular expression/);
    expect(() => accountIdRule('.+', 0)).toThrow(/max length 0 is not a positive integer/);
    expect(() => accountIdRule('.+', 1.5)).toThrow(/max length 1.5/);
  });
});
