import { createHash, type Hash } from 'node:crypto';
import { InternalError, UNPARSEABLE_RECORD_HASH_PREFIX } from '@ledgerlake/domain';
import { Parser } from 'csv-parse';
import { RecordBoundaryScanner } from './record-boundaries';

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
 * Unparseable records: with `relax_quotes` (a stray quote is kept literally, as most CSV readers
 * do) the only errors left are a quoted field that never closes (`CSV_QUOTE_NOT_CLOSED`, at the end
 * of the file) and a record over `maxRecordBytes` (`CSV_MAX_RECORD_SIZE`). Either way the record
 * is what RFC 4180 says it is: it runs to its closing quote and then its line end, or, when the
 * quote never closes, to the end of the file. `RecordBoundaryScanner` finds that end (same quoting
 * rules as the parser), every byte of the record goes into its hash (domain
 * `UNPARSEABLE_RECORD_HASH_PREFIX`: its `row_hash`), the sink gets it as one unparseable record,
 * and a fresh parser resumes after it — so no line inside it is ever read as a record of its own.
 * (The parser's `skip_records_with_error` mode was tried and rejected: on CSV_MAX_RECORD_SIZE it
 * drops the rest of the chunk silently and never says where the skipped record ended.) Memory stays
 * bounded: only the bytes since the end of the last record are retained, at most about
 * `maxRecordBytes` plus one chunk; an over-long record is hashed as it streams by, never kept.
 */

/** Receives what the reader finds, in file order. */
export interface CsvRecordSink {
  /** A parsed record (fields untrimmed, as in the file) and the 1-based line it starts on. */
  record(fields: string[], line: number): void;
  /**
   * A record that cannot be parsed: `line` is where it starts, `problem` says what is wrong and
   * where it ends, `text` is the start of its first line, `rawHash` the SHA-256 (hex) of
   * `UNPARSEABLE_RECORD_HASH_PREFIX` + its raw bytes.
   */
  unparseable(line: number, problem: string, text: string, rawHash: string): void;
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
    throw new InternalError('enrichment: csv-parse has no Parser#api.parse; this code is written against csv-parse 6.2.1');
  }
  return api;
}

function countChar(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++;
  return n;
}

/**
 * An unparseable record being read to its end: its bytes go through the boundary scanner (which
 * finds the line end outside quotes that ends it) and into its hash; only the start of its first
 * line is kept, for the message.
 */
class UnparseableRecord {
  readonly #scanner = new RecordBoundaryScanner({ bom: false });
  readonly #hash: Hash = createHash('sha256').update(UNPARSEABLE_RECORD_HASH_PREFIX);
  /** A CR at the end of the bytes so far: part of the record unless an LF follows at once. */
  #heldCr = false;
  /** The last byte fed was an LF. */
  #lastByteLf = false;
  #head: Buffer[] = [];
  #headBytes = 0;
  #headDone = false;
  ended = false;

  constructor(
    /** The line the record starts on. */
    readonly line: number,
    /** csv-parse's error code. */
    readonly code: string,
  ) {}

  /** Feeds the next bytes of the file; returns those after the record's end once it has ended. */
  feed(bytes: Buffer): Buffer | undefined {
    let stopped = false;
    const scanned = this.#scanner.scan(bytes, () => (stopped = true));
    this.ended = stopped;
    if (!stopped && bytes.length > 0) this.#lastByteLf = bytes[bytes.length - 1] === LF;
    this.#take(stopped ? bytes.subarray(0, scanned - 1) : bytes, stopped);
    return stopped ? bytes.subarray(scanned) : undefined;
  }

  /** Lines the record spans after its first (the line feeds inside it; a last LF of the file starts no line). */
  get extraLines(): number {
    return this.#scanner.lineFeeds - (this.ended || this.#lastByteLf ? 1 : 0);
  }

  /** The start of the record's first line, for a message. */
  get text(): string {
    const text = Buffer.concat(this.#head).toString('utf8').replace(/\r$/, '');
    return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
  }

  /** The SHA-256 (hex) of the prefix and the record's bytes; call once, when the record is over. */
  digest(): string {
    if (this.#heldCr && !this.ended) this.#hash.update(CR_BYTE);
    return this.#hash.digest('hex');
  }

  #take(body: Buffer, ended: boolean): void {
    // Nothing new (an empty chunk): a held CR may still turn out to be a line end's.
    if (body.length === 0 && !ended) return;
    let bytes = body;
    if (this.#heldCr) {
      this.#heldCr = false;
      if (!(ended && bytes.length === 0)) this.#hash.update(CR_BYTE);
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
      this.#heldCr = !ended;
    }
    this.#hash.update(bytes);
    if (!this.#headDone) {
      const lf = bytes.indexOf(LF);
      const room = SNIPPET * 4 - this.#headBytes;
      const piece = bytes.subarray(0, Math.min(lf === -1 ? bytes.length : lf, room));
      this.#head.push(piece);
      this.#headBytes += piece.length;
      if (lf !== -1 || this.#headBytes >= SNIPPET * 4) this.#headDone = true;
    }
  }
}

const CR_BYTE = Buffer.of(0x0d);

/** What is wrong with an unparseable record and where it ends, from csv-parse's error code. */
function describeUnparseable(record: UnparseableRecord, maxRecordBytes: number): string {
  const last = record.line + record.extraLines;
  const end = record.ended
    ? last === record.line
      ? 'it ends on the same line'
      : `it ends on line ${last}`
    : `a quoted field in it never closes, so it runs to the end of the file (line ${last})`;
  const cause =
    record.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'has a quoted field that is never closed (CSV_QUOTE_NOT_CLOSED)'
      : record.code === 'CSV_MAX_RECORD_SIZE'
        ? `is longer than ${maxRecordBytes} bytes (CSV_MAX_RECORD_SIZE)`
        : `cannot be parsed (${record.code})`;
  return `the record starting on line ${record.line} ${cause}; ${end}`;
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
  /** An unparseable record whose end is still to come: the bytes go to it, not to a parser. */
  #unparseable: UnparseableRecord | undefined;
  /** Set by `end`: the parser is reading the file's last bytes. */
  #ending = false;
  /** The last byte written. */
  #lastByte = -1;
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
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1] as number;
    let pending: Buffer | undefined = chunk;
    if (this.#unparseable !== undefined) pending = this.#feedUnparseable(chunk);
    while (pending !== undefined && pending.length > 0) {
      this.#retained.push(pending);
      const err = this.#api.parse(pending, false, this.#push, NOOP);
      if (err === undefined) {
        this.#dropConsumed();
        return;
      }
      pending = this.#recover(err);
    }
  }

  /** Signals the end of the file; reports the last record. */
  end(): void {
    this.#ending = true;
    for (;;) {
      if (this.#unparseable !== undefined) {
        this.#report(this.#unparseable);
        return;
      }
      const err = this.#api.parse(undefined, true, this.#push, NOOP);
      if (err === undefined) return;
      const rest = this.#recover(err);
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
      // csv-parse counts a CR or LF when the byte after it is read: a CR that is the file's last
      // byte (the last field of the last record ends with it) was never counted. Only the record
      // that ends there: one emitted at the end before it may end with a (counted) quoted CR too.
      if (this.#ending && this.#lastByte === CR && this.#api.info.bytes === this.#fedBytes() && (record[record.length - 1] as string).endsWith('\r')) breaks--;
      start = this.#baseLine + (parserLines - breaks) - this.#overcount;
      for (const field of record) if (field.includes('\r')) this.#overcount += countChar(field, '\r');
      this.#lastEndLine = this.#baseLine + parserLines - this.#overcount;
    }
    this.#prevParserLines = parserLines;
    this.#lastEndByte = this.#api.info.bytes;
    this.#sink.record(record, start);
  }

  /** Bytes fed to the current parser so far (parser-relative, as `info.bytes`). */
  #fedBytes(): number {
    let fed = this.#retainedStart;
    for (const chunk of this.#retained) fed += chunk.length;
    return fed;
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
   * Starts reading the record at the last record's end as unparseable (blank lines before it are
   * skipped, as the parser skips them) and returns the bytes after it when it ends within those
   * retained.
   */
  #recover(err: Error & { code?: string }): Buffer | undefined {
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
    this.#retained = [];
    this.#unparseable = new UnparseableRecord(line, err.code ?? 'error');
    return this.#feedUnparseable(bytes.subarray(pos));
  }

  /** Feeds bytes to the unparseable record; once it ends, reports it and returns the bytes after it. */
  #feedUnparseable(bytes: Buffer): Buffer | undefined {
    const record = this.#unparseable as UnparseableRecord;
    const rest = record.feed(bytes);
    if (rest === undefined) return undefined;
    this.#report(record);
    return rest;
  }

  /** Reports the unparseable record and starts a fresh parser on the line after it. */
  #report(record: UnparseableRecord): void {
    this.#unparseable = undefined;
    this.#restart(record.line + record.extraLines);
    this.#sink.unparseable(record.line, describeUnparseable(record, this.#maxRecordBytes), record.text, record.digest());
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
