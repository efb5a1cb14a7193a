/**
 * An independent reading of the CSV dialect LedgerLake accepts (apps/enrichment/README.md, "How a
 * file is read"), written from the rules, byte by byte, sharing no code with the product's reader
 * (csv-parse plus its recovery): tests compare the two.
 *
 * The rules — RFC 4180, with the leniencies the product documents:
 * - a UTF-8 byte order mark before the first byte is not data;
 * - a record ends at a line feed outside quotes (a CR right before it belongs to the line end);
 *   a lone CR is data;
 * - a quote opens a quoted field only as the field's first byte; elsewhere it is data;
 * - in a quoted field `""` is one quote; a quote followed by `,`, LF, CRLF or the end of the file
 *   closes the field; a quote followed by anything else ends the quoting: the field's value is then
 *   the opening quote, what was read, that quote, and the rest up to the next `,` or line end;
 * - a quoted field that never closes runs to the end of the file: the rest is one record;
 * - an empty line is no record.
 */

/** One record of the reference reading. */
export interface ReferenceRecord {
  /** The line it starts on (1 + the line feeds before it). */
  readonly line: number;
  /** Its bytes as in the file, without the line end that ends it. */
  readonly raw: Buffer;
  /** Its fields, decoded as UTF-8. */
  readonly fields: string[];
  /** True when a quoted field in it never closes (it runs to the end of the file). */
  readonly unclosed: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** Reads `bytes` by the rules above. */
export function referenceCsvRecords(bytes: Buffer): ReferenceRecord[] {
  const records: ReferenceRecord[] = [];
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  while (i < bytes.length) {
    const start = i;
    const startLine = line;
    const fields: Buffer[] = [];
    let field: number[] = [];
    let unclosed = false;
    let ended = false;
    const endField = (): void => {
      fields.push(Buffer.from(field));
      field = [];
    };
    // One field per pass.
    for (;;) {
      if (bytes[i] === QUOTE) {
        // A quoted field.
        i++;
        const content: number[] = [];
        let closed = false;
        let relaxed = false;
        while (i < bytes.length) {
          const c = bytes[i] as number;
          if (c !== QUOTE) {
            if (c === LF) line++;
            content.push(c);
            i++;
            continue;
          }
          const next = bytes[i + 1];
          if (next === QUOTE) {
            content.push(QUOTE);
            i += 2;
            continue;
          }
          if (next === undefined || next === COMMA || next === LF || (next === CR && bytes[i + 2] === LF)) {
            i++;
            closed = true;
            break;
          }
          // Quoting ends: the value keeps both quotes and goes on unquoted.
          field = [QUOTE, ...content, QUOTE];
          relaxed = true;
          i++;
          break;
        }
        if (closed) {
          field = content;
        } else if (!relaxed) {
          field = content;
          unclosed = true;
        }
      }
      // Unquoted (or the rest of a field whose quoting ended).
      while (i < bytes.length && !unclosed) {
        const c = bytes[i] as number;
        if (c === COMMA || c === LF) break;
        if (c === CR && bytes[i + 1] === LF) break;
        field.push(c);
        i++;
      }
      endField();
      if (unclosed || i >= bytes.length) {
        ended = i >= bytes.length;
        break;
      }
      const c = bytes[i] as number;
      if (c === COMMA) {
        i++;
        continue;
      }
      // A line end.
      break;
    }
    let end = i;
    if (!ended && !unclosed) {
      i += bytes[i] === CR ? 2 : 1;
      line++;
    }
    if (unclosed) end = bytes.length;
    const raw = bytes.subarray(start, end);
    const empty = fields.length === 1 && (fields[0] as Buffer).length === 0 && raw.length === 0;
    if (!empty) records.push({ line: startLine, raw, fields: fields.map((f) => f.toString('utf8')), unclosed });
  }
  return records;
}
