import { envBoolean, envEnum, envList, envNonNegativeInt, envPositiveInt, envString } from './env-values';

describe('envString', () => {
  it('trims and accepts a non-empty string', () => {
    expect(envString().parse('  bucket ')).toBe('bucket');
  });

  it.each([[''], ['   '], [undefined]])('rejects %p', (raw) => {
    expect(envString().safeParse(raw).success).toBe(false);
  });
});

describe('envList', () => {
  it('splits on commas, trims, and drops blank items', () => {
    expect(envList().parse(' mortgages, cards ,,loans ')).toEqual(['mortgages', 'cards', 'loans']);
  });

  it('accepts a single item', () => {
    expect(envList().parse('mortgages')).toEqual(['mortgages']);
  });

  it.each([[''], [' , ,'], [undefined]])('rejects %p', (raw) => {
    expect(envList().safeParse(raw).success).toBe(false);
  });
});

describe('envNonNegativeInt', () => {
  it.each([
    ['0', 0],
    ['30', 30],
    [' 7 ', 7],
  ])('parses %p as %p', (raw, expected) => {
    expect(envNonNegativeInt().parse(raw)).toBe(expected);
  });

  it.each([['-1'], ['01'], ['1.5'], ['9007199254740992'], [undefined]])('rejects %p', (raw) => {
    expect(envNonNegativeInt().safeParse(raw).success).toBe(false);
  });
});

describe('envPositiveInt', () => {
  it.each([
    ['1', 1],
    ['250', 250],
    [' 42 ', 42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('parses %p as %p', (raw, expected) => {
    expect(envPositiveInt().parse(raw)).toBe(expected);
  });

  it.each([['0'], ['-1'], ['1.5'], ['1e3'], ['0x10'], ['12abc'], ['9007199254740992'], [''], [undefined]])(
    'rejects %p',
    (raw) => {
      expect(envPositiveInt().safeParse(raw).success).toBe(false);
    },
  );
});

describe('envBoolean', () => {
  it.each([
    ['true', true],
    ['false', false],
  ])('parses %p as %p', (raw, expected) => {
    expect(envBoolean().parse(raw)).toBe(expected);
  });

  it.each([['TRUE'], ['1'], ['yes'], [''], [undefined]])('rejects %p', (raw) => {
    expect(envBoolean().safeParse(raw).success).toBe(false);
  });
});

describe('envEnum', () => {
  const level = envEnum(['DEBUG', 'INFO']);

  it('accepts a listed value', () => {
    expect(level.parse('INFO')).toBe('INFO');
  });

  it('rejects an unlisted value and says which values are expected', () => {
    const result = level.safeParse('info');

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("expected one of 'DEBUG', 'INFO'");
  });
});
