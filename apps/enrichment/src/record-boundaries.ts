/**
 * Finds record boundaries in CSV bytes without parsing fields, so a file can be cut into chunks
 * that parse on their own exactly as the whole file parses (apps/enrichment/src/csv-records.ts:
 * csv-parse with `relax_quotes`).
 *
 * It follows the quoting the parser follows: a quote opens a quoted field only at the start of a
 * field; inside one, `""` is a quote and a quote before `,`, CR or LF closes it; a quote anywhere
 * else in an unquoted field is a literal. A line feed outside quotes ends a record: a place to cut.
 *
 * Where the parser would take its recovery path — a closing quote followed by something else, or
 * a quoted field longer than `maxRecordBytes` — the scanner stops offering places to cut: the rest
 * of the file stays one chunk, parsed by one parser exactly as before. A malformed file costs
 * parallelism, never a different result.
 */
export class RecordBoundaryScanner {
  #inQuotes = false;
  #quotePending = false;
  #fieldStart = true;
  #quotedSince = 0;
  #lost = false;
  #bomBytes = 0;
  /** Bytes scanned so far. */
  offset = 0;
  /** Line feeds scanned so far (the next byte is on line `lineFeeds + 1`). */
  lineFeeds = 0;

  constructor(private readonly maxRecordBytes: number) {}

  /** True once the scanner can no longer tell record boundaries (see the module comment). */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Scans the next bytes and calls `boundary(offset, line)` after every line feed outside quotes:
   * `offset` is the file offset just after it, `line` the 1-based line that starts there.
   */
  scan(bytes: Uint8Array, boundary: (offset: number, line: number) => void): void {
    const base = this.offset;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i] as number;
      // A UTF-8 byte order mark is not part of the first field (the parser drops it too).
      if (this.#bomBytes === base + i && base + i < BOM.length && c === BOM[base + i]) {
        this.#bomBytes++;
        continue;
      }
      if (c === LF) this.lineFeeds++;
      if (this.#lost) continue;
      if (this.#inQuotes) {
        if (this.#quotePending) {
          this.#quotePending = false;
          if (c === QUOTE) continue;
          this.#inQuotes = false;
          if (c === COMMA) {
            this.#fieldStart = true;
          } else if (c === LF) {
            this.#fieldStart = true;
            boundary(base + i + 1, this.lineFeeds + 1);
          } else if (c !== CR) {
            this.#lost = true;
          }
          continue;
        }
        if (c === QUOTE) this.#quotePending = true;
        else if (base + i - this.#quotedSince > this.maxRecordBytes) this.#lost = true;
        continue;
      }
      if (c === QUOTE && this.#fieldStart) {
        this.#inQuotes = true;
        this.#quotedSince = base + i;
        this.#fieldStart = false;
      } else if (c === COMMA) {
        this.#fieldStart = true;
      } else if (c === LF) {
        this.#fieldStart = true;
        boundary(base + i + 1, this.lineFeeds + 1);
      } else {
        this.#fieldStart = false;
      }
    }
    this.offset = base + bytes.length;
  }
}

const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
