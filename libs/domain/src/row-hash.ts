/**
 * The input of a row's identity hash (docs/contract/rules.md, "Row identity"): SHA-256 of this string, as UTF-8, is the
 * row's `row_hash` forever, so the encoding below must never change.
 *
 * Encoding: the five fields in role order (`COLUMN_ROLES`: id, account, amount, currency,
 * timestamp — whatever the dataset names their columns, dataset-spec.ts), each written as a netstring
 * (`<UTF-8 byte length in decimal>:<value>,`), concatenated. Because every field states its own
 * length, no value (whatever commas, colons or digits it contains) can shift a field boundary:
 * two different field tuples always give two different strings. A field the CSV record did not
 * have at all (too few fields) is written as `~,`; a netstring always starts with a digit, so a
 * missing field can never be confused with an empty one (`0:,`).
 *
 * Example: id `1`, account `ACC001`, amount `300.00`, currency `EUR`, timestamp `2024-01-05T09:00:00Z` give
 * `1:1,6:ACC001,6:300.00,3:EUR,20:2024-01-05T09:00:00Z,`.
 *
 * The fields must already be trimmed (docs/contract/rules.md, "Input files") by the same rule used before validation;
 * this function does not trim again, so the hash covers exactly the values that were validated.
 * Hashing itself happens outside the domain (node:crypto), over the UTF-8 bytes of the result.
 *
 * A record whose fields cannot be extracted at all (a quoted field that never closes, a record
 * over the size limit) has no five fields to encode; its `row_hash` is the SHA-256 of
 * `UNPARSEABLE_RECORD_HASH_PREFIX` followed by the record's raw bytes as they are in the file, from
 * its first byte to the line end that ends it (the LF, and a CR before it, excluded). Two different
 * records never share a hash, and the same bytes sent again hash the same. The prefix starts with
 * a letter, where every five-field input starts with a digit or `~`: the two kinds never collide.
 */
import type { RowFields } from './dataset-spec';

/** What precedes an unparseable record's raw bytes in its `row_hash` input; see the module comment. */
export const UNPARSEABLE_RECORD_HASH_PREFIX = 'unparseable-record:';

/** Builds the unambiguous string whose SHA-256 is the row's `row_hash`; see the module comment. */
export function rowHashInput(fields: RowFields): string {
  return (
    netstring(fields.id) + netstring(fields.account) + netstring(fields.amount) + netstring(fields.currency) + netstring(fields.timestamp)
  );
}

function netstring(value: string | null): string {
  return value === null ? '~,' : `${utf8Length(value)}:${value},`;
}

/** Byte length of `value` encoded as UTF-8 (a lone surrogate counts as U+FFFD, as encoders write it). */
function utf8Length(value: string): number {
  let bytes = value.length;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
