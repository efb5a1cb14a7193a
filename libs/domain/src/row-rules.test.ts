import { DEFAULT_CURRENCIES } from './currency';
import { TRANSACTIONS_DATASET } from './dataset-spec';
import { DEFAULT_ROW_RULE_SETTINGS, rowRules } from './row-rules';

describe('rowRules', () => {
  it('compiles the defaults for a run start', () => {
    const rules = rowRules(DEFAULT_ROW_RULE_SETTINGS, '2024-06-01T10:00:00Z', TRANSACTIONS_DATASET);
    expect([...rules.currencies]).toEqual([...DEFAULT_CURRENCIES]);
    expect(rules.accountId).toMatchObject({ pattern: '[^,"]+', maxLength: 64, isDefault: true });
    expect(rules.txDate).toMatchObject({ minMicros: 0n, maxMicros: 1_717_322_400_000_000n });
  });

  it('throws on a pattern or a date configuration would have refused', () => {
    expect(() => rowRules({ ...DEFAULT_ROW_RULE_SETTINGS, accountIdPattern: '[' }, '2024-06-01T10:00:00Z', TRANSACTIONS_DATASET)).toThrow(RangeError);
    expect(() => rowRules({ ...DEFAULT_ROW_RULE_SETTINGS, txDateMin: 'yesterday' }, '2024-06-01T10:00:00Z', TRANSACTIONS_DATASET)).toThrow(RangeError);
  });
});
