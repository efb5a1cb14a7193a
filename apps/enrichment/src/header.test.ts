import { InvalidInputError, MissingColumnsError, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { PAYMENTS_DATASET } from '@ledgerlake/testing';
import { checkHeader } from './header';

const FILE = 's3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv';
const REQUIRED = ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'];

describe('checkHeader', () => {
  it('finds the required columns wherever they are, after trimming the names', () => {
    const header = checkHeader([' Currency', 'TransactionTimestamp ', 'TransactionID', 'CustomerID', '\tTransactionAmount'], FILE, 1, TRANSACTIONS_DATASET);
    expect(header.positions).toEqual({ id: 2, account: 3, amount: 4, currency: 0, timestamp: 1 });
    expect(header.names).toEqual(['Currency', 'TransactionTimestamp', 'TransactionID', 'CustomerID', 'TransactionAmount']);
    expect(header.extra).toEqual([]);
  });

  it('says a file with bare CR line ends (old Mac style) is one, not that its header repeats a name', () => {
    // csv-parse reads LF and CRLF line ends only: the whole file then looks like one header record.
    const fields = ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp\r1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z\r2', 'ACC001'];

    expect(() => checkHeader(fields, FILE, 1, TRANSACTIONS_DATASET)).toThrow(InvalidInputError);
    expect(() => checkHeader(fields, FILE, 1, TRANSACTIONS_DATASET)).toThrow(
      `${FILE} ends its lines with a bare carriage return (CR, old Mac style): only LF or CRLF line ends are read; save it with LF or CRLF line ends`,
    );
  });

  it('reports extra columns, unnamed ones included', () => {
    expect(checkHeader([...REQUIRED, 'Channel', '', ''], FILE, 1, TRANSACTIONS_DATASET).extra).toEqual(['Channel', '', '']);
  });

  it('names the file and every missing column', () => {
    let error: unknown;
    try {
      checkHeader(['TransactionID', 'customerid', 'TransactionAmount'], FILE, 1, TRANSACTIONS_DATASET);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingColumnsError);
    expect(error).toMatchObject({ name: 'MissingColumnsError', retryable: false, missing: ['CustomerID', 'Currency', 'TransactionTimestamp'] });
    expect((error as Error).message).toContain(FILE);
    expect((error as Error).message).toContain('CustomerID, Currency, TransactionTimestamp');
  });

  it("finds another dataset's columns by its own names", () => {
    const payments = PAYMENTS_DATASET;

    const header = checkHeader(['PaidAt', 'Amount', 'Currency', 'CardholderID', 'PaymentRef', 'TransactionID'], FILE, 1, payments);
    expect(header.positions).toEqual({ id: 4, account: 3, amount: 1, currency: 2, timestamp: 0 });
    expect(header.extra).toEqual(['TransactionID']);
    expect(() => checkHeader(REQUIRED, FILE, 1, payments)).toThrow(MissingColumnsError);
  });

  it('rejects duplicate column names', () => {
    const check = () => checkHeader([...REQUIRED, 'Currency '], FILE, 3, TRANSACTIONS_DATASET);
    expect(check).toThrow(InvalidInputError);
    expect(check).toThrow(/duplicate column name\(s\) in its header: Currency \(line 3\)/);
  });
});
