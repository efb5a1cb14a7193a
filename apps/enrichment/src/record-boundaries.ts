/**
 * Finds record boundaries in CSV bytes without parsing fields, by the quoting rules of the CSV
 * dialect LedgerLake reads (apps/enrichment/README.md, "How a file is read"; csv-parse 6.2.1 with
 * `relax_quotes` follows the same rules):
 *
 * - a quote opens a quoted field only as the field's first byte; elsewhere it is a literal;
 * - inside a quoted field `""` is a quote, and a quote followed by `,`, LF or CRLF closes the field;
 * - a quote followed by anything else ends the quoting: it stays in the field, literally, and the
 *   field goes on unquoted to the next `,` or line end;
 * - a line feed outside quotes ends a record (a CR before it belongs to the line end).
 *
 * Planning uses it to cut a file into chunks that parse on their own exactly as the whole file
 * parses; the reader uses it to find where an unparseable record (a quoted field that never closes
 * or a record over the size limit) really ends, so that nothing inside it is read as a record.
 */
export class RecordBoundaryScanner {
  #inQuotes = false;
  /** A quote seen inside a quoted field; the next byte decides what it was. */
  #quotePending = false;
  /** A quote then a CR seen inside a quoted field: an LF next closes the field and the record. */
  #quoteCrPending = false;
  #fieldStart = true;
  #bomBytes = 0;
  /** Whether a byte order mark may start the bytes (a file's first byte; not a record's). */
  readonly #bom: boolean;
  /** Bytes scanned so far. */
  offset = 0;
  /** Line feeds scanned so far (the next byte is on line `lineFeeds + 1`). */
  lineFeeds = 0;

  constructor(options: { readonly bom?: boolean } = {}) {
    this.#bom = options.bom ?? true;
  }

  /**
   * Scans the next bytes and calls `boundary(offset, line)` after every line feed outside quotes:
   * `offset` is the offset (from the first byte scanned) just after it, `line` the 1-based line
   * that starts there. A `boundary` that returns true stops the scan there. Returns how many of
   * `bytes` were scanned.
   */
  scan(bytes: Uint8Array, boundary: (offset: number, line: number) => boolean | void): number {
    // The state lives in locals while the loop runs (this is the hot loop of planning and of
    // reading an over-long record): one read and one write of each field per call.
    const base = this.offset;
    let inQuotes = this.#inQuotes;
    let quotePending = this.#quotePending;
    let quoteCrPending = this.#quoteCrPending;
    let fieldStart = this.#fieldStart;
    let lineFeeds = this.lineFeeds;
    let i = 0;
    if (this.#bom) {
      // A UTF-8 byte order mark is not part of the first field (the parser drops it too).
      while (i < bytes.length && this.#bomBytes === base + i && base + i < BOM.length && bytes[i] === BOM[base + i]) {
        this.#bomBytes++;
        i++;
      }
    }
    let stopped = -1;
    for (; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === LF) lineFeeds++;
      if (inQuotes) {
        if (quoteCrPending) {
          // `"` CR then LF closed the field at the line end; `"` CR then anything else ended the
          // quoting (the quote and the CR are literal). Either way the byte is read unquoted.
          quoteCrPending = false;
          inQuotes = false;
          fieldStart = false;
        } else if (quotePending) {
          quotePending = false;
          if (c === QUOTE) continue;
          if (c === CR) {
            quoteCrPending = true;
            continue;
          }
          // The quote closed the field (a `,` or LF follows) or ended the quoting early (the field
          // goes on unquoted): the byte is read unquoted.
          inQuotes = false;
          fieldStart = false;
        } else {
          if (c === QUOTE) quotePending = true;
          continue;
        }
      }
      if (c === QUOTE && fieldStart) {
        inQuotes = true;
        fieldStart = false;
      } else if (c === COMMA) {
        fieldStart = true;
      } else if (c === LF) {
        fieldStart = true;
        if (boundary(base + i + 1, lineFeeds + 1) === true) {
          stopped = i;
          break;
        }
      } else {
        fieldStart = false;
      }
    }
    this.#inQuotes = inQuotes;
    this.#quotePending = quotePending;
    this.#quoteCrPending = quoteCrPending;
    this.#fieldStart = fieldStart;
    this.lineFeeds = lineFeeds;
    const scanned = stopped === -1 ? bytes.length : stopped + 1;
    this.offset = base + scanned;
    return scanned;
  }
}
const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
