import {
  CircuitBreakerOpenError,
  ERROR_CLASSES,
  ERROR_NAMES,
  InvalidEventError,
  InvalidInputError,
  isRetryable,
  LakeStateError,
  LedgerLakeError,
  MissingColumnsError,
  StorageError,
  TransientStorageError,
} from './errors';

describe('the error registry', () => {
  it('keys every class by the literal name its errors carry (Step Functions matches on it; a minifier may rename the class)', () => {
    for (const [name, errorClass] of Object.entries(ERROR_CLASSES)) {
      expect([name, errorClass.name]).toEqual([name, name]);
      expect(errorClass.prototype).toBeInstanceOf(LedgerLakeError);
    }
    expect(ERROR_NAMES).toEqual(Object.keys(ERROR_CLASSES));
  });

  it('keep the cause', () => {
    const cause = new Error('socket hang up');
    expect(new MissingColumnsError('f', [], [], { cause }).cause).toBe(cause);
    expect(new InvalidInputError('f', 'is empty', {}, { cause }).cause).toBe(cause);
    expect(new CircuitBreakerOpenError('TYPE_ERROR', 1, 1, 60, { cause }).cause).toBe(cause);
    expect(new LakeStateError('pipeline: gone', { cause }).cause).toBe(cause);
  });
});

describe('InvalidEventError', () => {
  it('names the state and every problem', () => {
    const error = new InvalidEventError('ValidatePart', ['part: Required', 'run.run_id: Invalid']);
    expect(error.message).toBe('ValidatePart: the event is not valid: part: Required; run.run_id: Invalid');
    expect([error.name, error.state, error.problems, error.retryable]).toEqual(['InvalidEventError', 'ValidatePart', ['part: Required', 'run.run_id: Invalid'], false]);
  });
});

describe('MissingColumnsError', () => {
  it('names the file, the missing columns and the header', () => {
    const error = new MissingColumnsError(
      's3://bronze/x.csv',
      ['Currency', 'TransactionTimestamp'],
      ['TransactionID', 'CustomerID', 'TransactionAmount', 'Note'],
    );
    expect(error.message).toBe(
      'enrichment: s3://bronze/x.csv is missing required column(s) Currency, TransactionTimestamp ' +
        '(header has: TransactionID, CustomerID, TransactionAmount, Note)',
    );
    expect([error.file, error.missing, error.present]).toEqual([
      's3://bronze/x.csv',
      ['Currency', 'TransactionTimestamp'],
      ['TransactionID', 'CustomerID', 'TransactionAmount', 'Note'],
    ]);
  });

  it('says so when the header has no columns and shows empty names', () => {
    expect(new MissingColumnsError('f.csv', ['TransactionID'], []).message).toBe(
      'enrichment: f.csv is missing required column(s) TransactionID (header has: no columns)',
    );
    expect(new MissingColumnsError('f.csv', ['Currency'], ['a', '']).message).toContain('(header has: a, "")');
  });

  it('lists at most 20 header columns', () => {
    const present = Array.from({ length: 25 }, (_, n) => `c${n}`);
    const message = new MissingColumnsError('f.csv', ['Currency'], present).message;
    expect(message).toContain('c19 and 5 more)');
    expect(message).not.toContain('c20');
  });
});

describe('InvalidInputError', () => {
  it('names the file and the problem', () => {
    const error = new InvalidInputError('s3://bronze/empty.csv', 'is empty');
    expect(error.message).toBe('enrichment: s3://bronze/empty.csv is empty');
    expect([error.line, error.column, error.value]).toEqual([undefined, undefined, undefined]);
  });

  it('adds the location when known', () => {
    const error = new InvalidInputError('f.csv', 'is not valid UTF-8', { line: 3, column: 'Currency', value: 'E\uFFFDR' });
    expect(error.message).toBe('enrichment: f.csv is not valid UTF-8 (line 3, column Currency, value "E\uFFFDR")');
    expect([error.line, error.column, error.value]).toEqual([3, 'Currency', 'E\uFFFDR']);
  });

  it('cuts long values to 60 characters', () => {
    expect(new InvalidInputError('f.csv', 'is bad', { value: 'x'.repeat(100) }).message).toBe(
      `enrichment: f.csv is bad (value "${'x'.repeat(60)}…")`,
    );
  });
});

describe('CircuitBreakerOpenError', () => {
  it('names the code, the counts, the rate and the window', () => {
    const error = new CircuitBreakerOpenError('TYPE_ERROR', 150, 2000, 60);
    expect(error.message).toBe(
      'circuit-breaker: open: 150 row(s) failed with TYPE_ERROR out of 2000 processed (7.50 %) ' +
        'in the last 60 minutes; a person must reset it',
    );
    expect([error.code, error.failed, error.processed, error.windowMinutes]).toEqual(['TYPE_ERROR', 150, 2000, 60]);
  });

  it('has no rate when nothing was processed', () => {
    expect(new CircuitBreakerOpenError('SCHEMA_ERROR', 0, 0, 60).message).toContain('(n/a %)');
  });
});

describe('isRetryable', () => {
  it('is true only for retryable LedgerLake errors', () => {
    expect(isRetryable(new TransientStorageError('storage: 503'))).toBe(true);
    expect(isRetryable(new StorageError('storage: 403'))).toBe(false);
  });

  it.each([[new Error('boom')], [{ retryable: true }], ['TransientStorageError'], [undefined], [null]])(
    'is false for %p, which is not a LedgerLake error',
    (value) => {
      expect(isRetryable(value)).toBe(false);
    },
  );
});
