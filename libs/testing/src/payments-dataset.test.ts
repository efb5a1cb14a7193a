import {
  type CompleteRowFields,
  DEFAULT_ROW_RULE_SETTINGS,
  defineDataset,
  inputColumns,
  missingColumns,
  rawColumns,
  rowRules,
  TRANSACTIONS_DATASET,
  validateRow,
} from '@ledgerlake/domain';
import { PAYMENTS_DATASET } from './payments-dataset';

/* The second dataset the tests use: the domain's dataset functions take it by its own names. */

describe('PAYMENTS_DATASET', () => {
  it('is a valid dataset with names of its own for the five roles', () => {
    expect(defineDataset(PAYMENTS_DATASET)).toEqual(PAYMENTS_DATASET);
    expect(inputColumns(PAYMENTS_DATASET)).toEqual(['PaymentRef', 'CardholderID', 'Amount', 'Currency', 'PaidAt']);
    expect(rawColumns(PAYMENTS_DATASET)).toEqual(['payment_ref', 'cardholder_id', 'amount', 'currency', 'paid_at']);
  });

  it('checks a header against its own names', () => {
    expect(missingColumns(PAYMENTS_DATASET, inputColumns(TRANSACTIONS_DATASET))).toEqual(['PaymentRef', 'CardholderID', 'Amount', 'PaidAt']);
    expect(missingColumns(PAYMENTS_DATASET, [])).toEqual([...inputColumns(PAYMENTS_DATASET)]);
  });

  it("names its own columns in a rejected row's detail", () => {
    const rules = rowRules(DEFAULT_ROW_RULE_SETTINGS, '2024-06-01T10:00:00.000Z', PAYMENTS_DATASET);
    const good: CompleteRowFields = { id: '1', account: 'ACC001', amount: '300.00', currency: 'EUR', timestamp: '2024-01-05T09:00:00Z' };
    const detail = (changes: Partial<CompleteRowFields>) => {
      const result = validateRow({ ...good, ...changes }, rules);
      return result.ok ? 'valid' : result.detail;
    };

    expect(detail({})).toBe('valid');
    expect(detail({ id: 'abc' })).toMatch(/^PaymentRef "abc"/);
    expect(detail({ amount: '', timestamp: '' })).toBe('required field(s) empty: Amount, PaidAt');
    expect(detail({ timestamp: 'soon' })).toMatch(/^PaidAt "soon"/);
  });
});
