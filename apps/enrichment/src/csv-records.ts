import { Parser } from 'csv-parse';

/**
 * Streaming CSV records with the line each one STARTS on, on top of csv-parse 6.2.1.
 *
 * Why not the stream API: an object-mode stream adds per-record async overhead, and a record's
 * line must be read from the parser's counters at the moment the record is emitted (a buffered
 * stream has moved on by then). So chunks go straight into the parser's own `parse()` (what
 * `Parser#_transform` calls), and records come back synchronously.
 *
 * Line numbers are those of `sed -n Np` / `grep -n`: a line ends at LF (CRLF is an LF preceded by
 * CR); a lone CR is not a line break. csv-parse counts every CR and LF inside a record as a line
 * (a quoted CRLF counts twice), so its counter is corrected by the CRs seen inside fields.
 *
 * Parse errors: with `relax_quotes` (a stray quote inside a field is kept literally, as most CSV
 * readers do) the only error left is a quoted field that never closes — at the end of the file
 * (`CSV_QUOTE_NOT_CLOSED`) or within `maxRecordBytes` (`CSV_MAX_RECORD_SIZE`). RFC 4180 would make
 * the rest of the file one field; instead the record's first line becomes one unparseable row and
 * parsing resumes on the next line with a fresh parser, so one bad quote costs one line. (The
 * parser's `skip_records_with_error` mode was tried and rejected: on CSV_MAX_RECORD_SIZE it drops
 * the rest of the chunk silently and never says where the skipped record ended.) Memory stays
 * bounded: only the bytes since the end of the last record are retained, at most about
 * `maxRecordBytes` plus one chunk.
 */

/** Receives what the reader finds, in file order. */
export interface CsvRecordSink {
  /** A parsed record (fields untrimmed, as in the file) and the 1-based line it starts on. */
  record(fields: string[], line: number): void;
  /** A record that cannot be parsed; `line` is where it starts, `problem` says what is wrong. */
  unparseable(line: number, problem: string, text: string): void;
}

/** Options of `CsvRecordReader`. */
export interface CsvRecordReaderOptions {
  /** A record whose fields grow beyond this many bytes is unparseable (an unclosed quote). */
  readonly maxRecordBytes: number;
  /** The line the first byte is on (a chunk of a file starts mid-file); default 1. */
  readonly firstLine?: number;
  /** Whether a UTF-8 byte order mark may start the bytes (only a file's first chunk); default true. */
  readonly bom?: boolean;
}

/** What csv-parse 6.2.1 keeps on `Parser#api` (not in its type declarations). */
interface ParserApi {
  readonly info: { readonly lines: number; readonly bytes: number };
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const SNIPPET = 120;
const NOOP = (): void => undefined;

function createParserApi(maxRecordBytes: number, bom: boolean): ParserApi {
  const parser = new Parser({
    bom,
    columns: false,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n'],
    max_record_size: maxRecordBytes,
  });
  const api = (parser as unknown as { api?: ParserApi }).api;
  if (api === undefined || typeof api.parse !== 'function') {
    throw new Error('enrichment: csv-parse has no Parser#api.parse; this code is written against csv-parse 6.2.1');
  }
  return api;
}

function countChar(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++;
  return n;
}

/** Why the record could not be parsed, from csv-parse's error code. */
function describeParseError(err: Error & { code?: string }, line: number, maxRecordBytes: number): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted field in the record starting on line ${line} is never closed (CSV_QUOTE_NOT_CLOSED at end of file)`;
    case 'CSV_MAX_RECORD_SIZE':
      return `a quoted field in the record starting on line ${line} does not close within ${maxRecordBytes} bytes (CSV_MAX_RECORD_SIZE)`;
    default:
      return `the record starting on line ${line} cannot be parsed (${err.code ?? 'error'}: ${err.message})`;
  }
}

/** Pushes byte chunks through csv-parse and reports records with their start lines; see the module comment. */
export class CsvRecordReader {
  readonly #sink: CsvRecordSink;
  readonly #maxRecordBytes: number;
  #api: ParserApi;
  /** True line number just before the current parser's first line. */
  #baseLine = 0;
  /** CR characters inside fields seen by the current parser: csv-parse counted them as lines. */
  #overcount = 0;
  /** csv-parse's line counter when the previous record was emitted. */
  #prevParserLines = 0;
  /** True line on which the previous record ended (the base line before any record). */
  #lastEndLine = 0;
  /** Parser-relative byte offset just after the previous record's delimiter. */
  #lastEndByte = 0;
  /** Bytes fed to the current parser since (at least) `#lastEndByte`, for recovery. */
  #retained: Buffer[] = [];
  /** Parser-relative offset of `#retained[0]`. */
  #retainedStart = 0;
  /** After an over-long unparseable line: drop bytes up to and including the next LF. */
  #discardToLineEnd = false;
  readonly #push = (record: string[]): void => this.#onRecord(record);

  constructor(sink: CsvRecordSink, options: CsvRecordReaderOptions) {
    this.#sink = sink;
    this.#maxRecordBytes = options.maxRecordBytes;
    this.#api = createParserApi(this.#maxRecordBytes, options.bom ?? true);
    this.#baseLine = (options.firstLine ?? 1) - 1;
    this.#lastEndLine = this.#baseLine;
  }

  /** Feeds the next chunk of the file (already decompressed). */
  write(chunk: Buffer): void {
    let pending: Buffer | undefined = chunk;
    if (this.#discardToLineEnd) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) return;
      this.#discardToLineEnd = false;
      pending = chunk.subarray(lf + 1);
    }
    while (pending !== undefined && pending.length > 0) {
      this.#retained.push(pending);
      const err = this.#api.parse(pending, false, this.#push, NOOP);
      if (err === undefined) {
        this.#dropConsumed();
        return;
      }
      pending = this.#recover(err, false);
    }
  }

  /** Signals the end of the file; reports the last record. */
  end(): void {
    for (;;) {
      const err = this.#api.parse(undefined, true, this.#push, NOOP);
      if (err === undefined) return;
      const rest = this.#recover(err, true);
      if (rest !== undefined) this.write(rest);
    }
  }

  #onRecord(record: string[]): void {
    const parserLines = this.#api.info.lines;
    let start: number;
    if (parserLines - this.#prevParserLines === 1) {
      // The common case: the record is one line and follows the previous one directly.
      start = this.#lastEndLine + 1;
      this.#lastEndLine = start;
    } else {
      let breaks = 0;
      for (const field of record) {
        if (field.length === 0) continue;
        if (field.includes('\n')) breaks += countChar(field, '\n');
        if (field.includes('\r')) breaks += countChar(field, '\r');
      }
      start = this.#baseLine + (parserLines - breaks) - this.#overcount;
      for (const field of record) if (field.includes('\r')) this.#overcount += countChar(field, '\r');
      this.#lastEndLine = this.#baseLine + parserLines - this.#overcount;
    }
    this.#prevParserLines = parserLines;
    this.#lastEndByte = this.#api.info.bytes;
    this.#sink.record(record, start);
  }

  /** Forgets retained chunks that end before the last record's end. */
  #dropConsumed(): void {
    while (this.#retained.length > 1) {
      const first = this.#retained[0] as Buffer;
      if (this.#retainedStart + first.length > this.#lastEndByte) break;
      this.#retainedStart += first.length;
      this.#retained.shift();
    }
  }

  /**
   * Reports the record at the last record's end as unparseable (its first line), starts a fresh
   * parser after that line, and returns the bytes still to parse.
   */
  #recover(err: Error, atEnd: boolean): Buffer | undefined {
    const bytes = Buffer.concat(this.#retained);
    let pos = Math.max(0, this.#lastEndByte - this.#retainedStart);
    let line = this.#lastEndLine + 1;
    for (;;) {
      if (bytes[pos] === LF) {
        pos += 1;
      } else if (bytes[pos] === CR && bytes[pos + 1] === LF) {
        pos += 2;
      } else {
        break;
      }
      line++;
    }
    const lf = bytes.indexOf(LF, pos);
    let end = lf === -1 ? bytes.length : lf;
    if (end > pos && bytes[end - 1] === CR) end--;
    const text = bytes.subarray(pos, Math.min(end, pos + SNIPPET * 4)).toString('utf8');
    const snippet = text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
    this.#restart(line);
    this.#sink.unparseable(line, describeParseError(err, line, this.#maxRecordBytes), snippet);
    if (lf === -1) {
      if (!atEnd) this.#discardToLineEnd = true;
      return undefined;
    }
    return bytes.subarray(lf + 1);
  }

  #restart(lineBefore: number): void {
    this.#api = createParserApi(this.#maxRecordBytes, false);
    this.#baseLine = lineBefore;
    this.#overcount = 0;
    this.#prevParserLines = 0;
    this.#lastEndLine = lineBefore;
    this.#lastEndByte = 0;
    this.#retained = [];
    this.#retainedStart = 0;
  }
}
