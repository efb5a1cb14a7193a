import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';
import { openLakeSql, SQL_TABLE_NAMES, SqlQueryError, SqlRefusedError, type SqlResult, type SqlRowStream } from './sql-engine';
import { type RowSink, type SqlFormat, writeRows, type WrittenRows } from './sql-output';

/** Runs one SQL text over the lake's tables; a query DuckDB rejects is a `CliError` (exit 1) quoting DuckDB. */
export async function queryLake(lake: LocalLake, sql: string, params: readonly string[] = []): Promise<SqlResult> {
  checkNotEmpty(sql);
  const engine = await openLakeSql(lake);
  try {
    return await engine.query(sql, params);
  } catch (error) {
    throw asCliError(error);
  } finally {
    engine.close();
  }
}

/** The SQL of `ledgerlake query`: the argument, or the file `--file` names (not both, not neither). */
export async function querySql(argument: string | undefined, file: string | undefined, cwd: string): Promise<string> {
  if (argument !== undefined && file !== undefined) throw new CliError('Give the SQL either as the argument or with --file, not both.', EXIT.usage);
  if (file === undefined) {
    if (argument === undefined) throw new CliError('No query: give the SQL as one argument (ledgerlake query "SELECT 1") or --file FILE.sql.', EXIT.usage);
    return argument;
  }
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read the SQL file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, EXIT.usage);
  }
}

/** Where `ledgerlake query` writes: stdout (`terminal`: a person reads it), or a file (`--output`). */
export type QueryOutput = { readonly kind: 'stdout'; readonly sink: RowSink; readonly terminal: boolean } | { readonly kind: 'file'; readonly path: string };

/**
 * `ledgerlake query` on a lake folder: one read-only statement, its rows streamed to the output in
 * `format`. A file output is written beside its name and renamed into place once complete, so a
 * failed query leaves no half-written file.
 */
export async function queryLakeTo(lake: LocalLake, sql: string, format: SqlFormat, output: QueryOutput): Promise<WrittenRows> {
  checkNotEmpty(sql);
  if (format === 'parquet' && output.kind !== 'file') throw new CliError('--format parquet writes a file: give --output FILE.parquet.', EXIT.usage);
  const temporary = output.kind === 'file' ? join(dirname(output.path), `.${basename(output.path)}.${process.pid}.tmp`) : undefined;
  const engine = await openLakeSql(lake, { writablePaths: temporary === undefined ? [] : [temporary] });
  try {
    if (output.kind === 'stdout') return await writeRows(await engine.stream(sql), format as Exclude<SqlFormat, 'parquet'>, output.sink, output.terminal);
    const file = temporary as string;
    try {
      let written: WrittenRows;
      if (format === 'parquet') {
        const rows = await engine.copyToParquet(sql, file);
        written = { rows, shown: rows };
      } else {
        written = await writeToFile(await engine.stream(sql), format, file);
      }
      await rename(file, output.path);
      return written;
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  } catch (error) {
    throw asCliError(error);
  } finally {
    engine.close();
  }
}

/** Writes a result to a file through a write stream (its back-pressure keeps memory flat). */
export async function writeToFile(stream: SqlRowStream, format: Exclude<SqlFormat, 'parquet'>, path: string): Promise<WrittenRows> {
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const written = await Promise.race([writeRows(stream, format, out), failed]);
  await Promise.race([new Promise<void>((done) => out.end(done)), failed]);
  return written;
}

function checkNotEmpty(sql: string): void {
  if (sql.trim() === '') throw new CliError('The query is empty: pass the SQL as one argument, e.g. ledgerlake query "SELECT 1".', EXIT.usage);
}

function asCliError(error: unknown): unknown {
  if (error instanceof SqlRefusedError) return new CliError(error.message, EXIT.usage);
  if (error instanceof SqlQueryError) return new CliError(describeQueryError(error.message));
  return error;
}

/** DuckDB's message as one sentence: its first paragraph (the LINE/caret excerpt after it is dropped). */
export function describeQueryError(message: string): string {
  const paragraph = (message.split(/\n\s*\n/)[0] ?? message).replace(/^Failed to extract statements: /, '');
  const text = paragraph.replace(/\s*\n\s*/g, ' ').trim();
  const tables = /^Catalog Error/.test(text) ? ` (the tables are ${SQL_TABLE_NAMES.join(', ')})` : '';
  return `The query failed: ${text}${tables}`;
}
