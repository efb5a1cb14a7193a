/**
 * CSV cells. Two kinds of CSV leave LedgerLake, and they differ in one rule:
 *
 * - **CSV for machines** (a retry file landed in Bronze, read back by enrichment): each value is
 *   written exactly, RFC 4180-quoted where needed (`quoteCsvField`). Changing a value there would
 *   change the row itself.
 * - **CSV for people** (anything meant to be opened in a spreadsheet): each cell also goes through
 *   `csvCellForPeople`, which neutralises formula injection (OWASP "CSV injection"): a cell that
 *   starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote `'`,
 *   so that a spreadsheet shows it as text instead of running it. The one exception is a cell that
 *   is a plain decimal number with an optional sign (`-25.50`, `+3`, `-0.5`: `^[+-]?\d+(\.\d+)?$`):
 *   a spreadsheet reads it as that number, which runs nothing, and money columns keep their
 *   debits as numbers. Anything else that starts with a sign (`-2+3`, `-1e3`, `- 5`) is prefixed.
 *
 * LedgerLake writes no CSV for people today (listings print as aligned text or JSON); whatever
 * CSV it writes for people must build every cell with `csvCellForPeople`.
 */

/** Characters that make a spreadsheet read a cell as a formula when they come first (OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A signed plain decimal number: a spreadsheet reads it as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A value as one RFC 4180 field: quoted (quotes doubled) when it holds `"`, `,`, CR or LF, else as it is. */
export function quoteCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A value as one cell of a CSV for people: formula injection neutralised (see the module comment), then quoted as needed. */
export function csvCellForPeople(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return quoteCsvField(safe);
}
