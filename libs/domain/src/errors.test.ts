import {
  CircuitBreakerOpenError,
  ConfigError,
  ERROR_CLASSES,
  ERROR_NAMES,
  InvalidInputError,
  isRetryable,
  LedgerLakeError,
  MissingColumnsError,
  ObjectConflictError,
  ReconciliationError,
  StorageError,
  TransientStorageError,
  UnknownDatasetError,
} from './errors';

/** One instance of every concrete class, in ERROR_CLASSES order. */
const samples: LedgerLakeError[] = [
  new TransientStorageError('storage: throttled'),
  new StorageError('storage: access denied'),
  new ObjectConflictError('silver', 'k/_LATEST.json', 'exists'),
  new ConfigError('config: bad', [{ key: 'LAKE_DIR', problem: 'missing' }]),
  new MissingColumnsError('s3://bronze/x.csv', ['Currency'], ['TransactionID']),
  new InvalidInputError('s3://bronze/x.csv', 'is empty'),
  new CircuitBreakerOpenError('TYPE_ERROR', 101, 1000, 60),
  new ReconciliationError('20240105T090000Z', ['input_rows 3 != 2']),
  new UnknownDatasetError('cards/payments', ['mortgages/transactions']),
];

describe('error classes', () => {
  it('lists one sample per class in ERROR_CLASSES order', () => {
    expect(samples.map((error) => error.constructor)).toEqual([...ERROR_CLASSES]);
  });

  it('give every class a literal name equal to its ERROR_NAMES entry and its class name', () => {
    expect(samples.map((error) => error.name)).toEqual([...ERROR_NAMES]);
    expect(ERROR_CLASSES.map((errorClass) => errorClass.name)).toEqual([...ERROR_NAMES]);
  });

  it('have unique names', () => {
    expect(new Set(ERROR_NAMES).size).toBe(ERROR_NAMES.length);
  });

  it('are Errors and LedgerLakeErrors', () => {
    for (const error of samples) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(LedgerLakeError);
    }
  });

  it('only TransientStorageError is retryable', () => {
    expect(samples.filter((error) => error.retryable).map((error) => error.name)).toEqual(['TransientStorageError']);
  });

  it('keep the cause', () => {
    const cause = new Error('socket hang up');
    expect(new MissingColumnsError('f', [], [], { cause }).cause).toBe(cause);
    expect(new InvalidInputError('f', 'is empty', {}, { cause }).cause).toBe(cause);
    expect(new CircuitBreakerOpenError('TYPE_ERROR', 1, 1, 60, { cause }).cause).toBe(cause);
    expect(new ReconciliationError('r', [], { cause }).cause).toBe(cause);
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

describe('ReconciliationError', () => {
  it('names the run and every problem', () => {
    const error = new ReconciliationError('20240105T090000Z', ['rows off', 'amounts off']);
    expect(error.message).toBe('reconciliation: run 20240105T090000Z does not reconcile: rows off; amounts off');
    expect([error.runId, error.problems]).toEqual(['20240105T090000Z', ['rows off', 'amounts off']]);
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
