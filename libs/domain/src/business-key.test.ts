import { businessKey } from './business-key';

describe('businessKey', () => {
  it('joins the canonical id and the UTC day', () => {
    expect(businessKey(42n, '2024-01-05')).toBe('42|2024-01-05');
  });

  it('keeps the sign and the full int64 range', () => {
    expect(businessKey(-9_223_372_036_854_775_808n, '2024-01-05')).toBe('-9223372036854775808|2024-01-05');
  });

  it('differs for the same id on another day and another id on the same day', () => {
    const keys = new Set([businessKey(1n, '2024-01-05'), businessKey(1n, '2024-01-06'), businessKey(2n, '2024-01-05')]);
    expect(keys.size).toBe(3);
  });
});
