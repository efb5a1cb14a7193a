import {
  CONDEMN_CODES,
  CondemnCodeSchema,
  DUPLICATE_FILE,
  ROW_ERROR_CODES,
  RowErrorCodeSchema,
  RunSkipReasonSchema,
  VALIDATION_ERROR_CODES,
  ValidationErrorCodeSchema,
} from './error-codes';

describe('error codes', () => {
  it('lists validation codes in check order', () => {
    expect(VALIDATION_ERROR_CODES).toEqual([
      'SCHEMA_ERROR',
      'NULL_VALUE_ERROR',
      'TYPE_ERROR',
      'CURRENCY_ERROR',
      'TIMESTAMP_ERROR',
    ]);
  });

  it('lists condemn codes', () => {
    expect(CONDEMN_CODES).toEqual(['DUPLICATE_FAILURE', 'MAX_ATTEMPTS']);
  });

  it('row error codes are validation codes then condemn codes', () => {
    expect(ROW_ERROR_CODES).toEqual([...VALIDATION_ERROR_CODES, ...CONDEMN_CODES]);
  });

  it('keeps validation and condemn codes apart', () => {
    expect(ValidationErrorCodeSchema.safeParse('MAX_ATTEMPTS').success).toBe(false);
    expect(CondemnCodeSchema.safeParse('TYPE_ERROR').success).toBe(false);
    expect(RowErrorCodeSchema.safeParse('MAX_ATTEMPTS').success).toBe(true);
    expect(RowErrorCodeSchema.safeParse('TYPE_ERROR').success).toBe(true);
  });

  it('does not treat DUPLICATE_FILE as a row code', () => {
    expect(RowErrorCodeSchema.safeParse(DUPLICATE_FILE).success).toBe(false);
    expect(RunSkipReasonSchema.parse('DUPLICATE_FILE')).toBe(DUPLICATE_FILE);
  });
});
