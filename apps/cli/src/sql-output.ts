import { visibleText } from '@ledgerlake/domain';
import type { SqlColumn, SqlResult, SqlRowStream, SqlValue } from './sql-engine';

/*
 * How query results print, streamed batch by batch (memory stays flat whatever the row count):
 *   table     an aligned text table, numbers right-aligned, NULL spelled out, a row count under it;
 *             widths from the first rows (TABLE_WIDTH_ROWS); on a terminal only the first
 *             TERMINAL_ROWS rows, then a note with the count and how to get them all
 *   json      one JSON array of row objects, exact (sql-engine `toJsonValue`): decimals as strings
 *   csv       RFC 4180: a header, fields quoted when they hold a comma, quote or line break; NULL empty
 *   markdown  a GitHub table (`|` escaped, line breaks as <br>)
 * (`parquet` is written by DuckDB itself: sql-engine `copyToParquet`.)
 */

/** The formats `query --format` takes. */
export const SQL_FORMATS = ['table', 'json', 'csv', 'markdown', 'parquet'] as const;
export type SqlFormat = (typeof SQL_FORMATS)[number];

/** Where rows are written: stdout or a file stream; `write` returning false asks the writer to wait for 'drain'. */
export interface RowSink {
  write(chunk: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Rows shown on a terminal before the table stops with a note. */
export const TERMINAL_ROWS = 1000;
/** Rows the table's column widths are measured on. */
const TABLE_WIDTH_ROWS = 1000;

const NUMERIC_TYPE = /^(DECIMAL|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE)\b/;

/** What was written: every row counted, and how many were shown (fewer on a terminal). */
export interface WrittenRows {
  readonly rows: number;
  readonly shown: number;
}

/** A whole result (already in memory) as a stream of one batch. */
export function streamOf(result: SqlResult): SqlRowStream {
  async function* one(): AsyncGenerator<readonly Record<string, SqlValue>[]> {
    if (result.rows.length > 0) yield result.rows;
  }
  return { columns: result.columns, batches: one() };
}

/** Writes the rows in `format` (not parquet); `terminal`: a person reads it (the table stops after TERMINAL_ROWS rows). */
export async function writeRows(stream: SqlRowStream, format: Exclude<SqlFormat, 'parquet'>, sink: RowSink, terminal = false): Promise<WrittenRows> {
  const put = async (text: string): Promise<void> => {
    if (sink.write(text) === false && sink.once !== undefined) await new Promise<void>((resolve) => sink.once?.('drain', resolve));
  };
  switch (format) {
    case 'json':
      return writeJson(stream, put);
    case 'csv':
      return writeDelimited(stream, put, csvLine);
    case 'markdown':
      return writeMarkdown(stream, put);
    case 'table':
      return writeTable(stream, put, terminal);
  }
}

type Put = (text: string) => Promise<void>;

async function writeJson(stream: SqlRowStream, put: Put): Promise<WrittenRows> {
  let rows = 0;
  for await (const batch of stream.batches) {
    // The same text as JSON.stringify(allRows, null, 2), one row at a time.
    const text = batch.map((row) => `  ${JSON.stringify(row, null, 2).replaceAll('\n', '\n  ')}`).join(',\n');
    await put(`${rows === 0 ? '[\n' : ',\n'}${text}`);
    rows += batch.length;
  }
  await put(rows === 0 ? '[]\n' : '\n]\n');
  return { rows, shown: rows };
}

async function writeDelimited(stream: SqlRowStream, put: Put, line: (values: readonly string[]) => string): Promise<WrittenRows> {
  await put(line(stream.columns.map((column) => column.name)));
  let rows = 0;
  for await (const batch of stream.batches) {
    await put(batch.map((row) => line(stream.columns.map((column) => csvValue(row[column.name] ?? null)))).join(''));
    rows += batch.length;
  }
  return { rows, shown: rows };
}

function csvValue(value: SqlValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

async function writeMarkdown(stream: SqlRowStream, put: Put): Promise<WrittenRows> {
  const cell = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
  const line = (values: readonly string[]) => `| ${values.map(cell).join(' | ')} |\n`;
  await put(line(stream.columns.map((column) => column.name)));
  await put(`| ${stream.columns.map((column) => (NUMERIC_TYPE.test(column.type) ? '---:' : '---')).join(' | ')} |\n`);
  let rows = 0;
  for await (const batch of stream.batches) {
    await put(batch.map((row) => line(stream.columns.map((column) => displayValue(row[column.name] ?? null)))).join(''));
    rows += batch.length;
  }
  return { rows, shown: rows };
}

async function writeTable(stream: SqlRowStream, put: Put, terminal: boolean): Promise<WrittenRows> {
  const { columns } = stream;
  if (columns.length === 0) return { rows: 0, shown: 0 };
  const iterator = stream.batches[Symbol.asyncIterator]();
  // The first rows decide the widths (a fold, not Math.max(...cells): spread arguments overflow the stack).
  const held: string[][] = [];
  let done = false;
  while (held.length < TABLE_WIDTH_ROWS) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    for (const row of next.value) held.push(cellsOf(columns, row));
  }
  const widths = columns.map((column, index) => held.reduce((widest, row) => Math.max(widest, (row[index] as string).length), column.name.length));
  const numeric = columns.map((column) => NUMERIC_TYPE.test(column.type));
  const line = (values: readonly string[]) =>
    `${values
      .map((value, index) => (numeric[index] ? value.padStart(widths[index] as number) : value.padEnd(widths[index] as number)))
      .join('  ')
      .trimEnd()}\n`;
  const limit = terminal ? TERMINAL_ROWS : Number.POSITIVE_INFINITY;
  let rows = 0;
  let shown = 0;
  const show = async (cells: readonly string[][]): Promise<void> => {
    rows += cells.length;
    const visible = cells.slice(0, Math.max(0, limit - shown));
    shown += visible.length;
    if (visible.length > 0) await put(visible.map(line).join(''));
  };
  await put(line(columns.map((column) => column.name)) + `${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  await show(held);
  while (!done) {
    const next = await iterator.next();
    if (next.done === true) break;
    if (shown >= limit) rows += next.value.length;
    else await show(next.value.map((row) => cellsOf(columns, row)));
  }
  const count = `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
  await put(shown < rows ? `(${shown.toLocaleString('en-US')} of ${count} shown: --format csv or --output FILE for all of them)\n` : `(${count})\n`);
  return { rows, shown };
}

function cellsOf(columns: readonly SqlColumn[], row: Readonly<Record<string, SqlValue>>): string[] {
  return columns.map((column) => displayValue(row[column.name] ?? null));
}

/** A whole result as an aligned table (the balances report's body). */
export async function formatSqlTable(result: SqlResult): Promise<string> {
  let text = '';
  await writeRows(streamOf(result), 'table', { write: (chunk) => void (text += chunk) });
  return text;
}

function displayValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return visibleText(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
