import { rowFields } from './dataset-spec';
import { rowHashInput as hashInputOf } from './row-hash';

/** Five fields in role order (id, account, amount, currency, timestamp). */
type RowHashFields = Parameters<typeof rowFields>[0];
const rowHashInput = (fields: RowHashFields): string => hashInputOf(rowFields(fields));

const sample: RowHashFields = ['1', 'ACC001', '300.00', 'EUR', '2024-01-05T09:00:00Z'];

describe('rowHashInput', () => {
  it('writes five netstrings in column order', () => {
    expect(rowHashInput(sample)).toBe('1:1,6:ACC001,6:300.00,3:EUR,20:2024-01-05T09:00:00Z,');
  });

  it('is deterministic', () => {
    expect(rowHashInput([...sample] as unknown as RowHashFields)).toBe(rowHashInput(sample));
  });

  it('encodes the fields in role order, however the row object was built', () => {
    expect(hashInputOf({ timestamp: '2024-01-05T09:00:00Z', currency: 'EUR', amount: '300.00', account: 'ACC001', id: '1' })).toBe(
      rowHashInput(sample),
    );
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(rowHashInput(['é', '€', '😀', 'a\u0301', ''])).toBe('2:é,3:€,4:😀,3:a\u0301,0:,');
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD', () => {
    expect(rowHashInput(['\uD800', '\uDC00x', '', '', ''])).toBe('3:\uD800,4:\uDC00x,0:,0:,0:,');
  });

  it('writes a missing field differently from an empty one', () => {
    expect(rowHashInput(['1', 'A', '2', 'EUR', null])).toBe('1:1,1:A,1:2,3:EUR,~,');
    expect(rowHashInput(['1', 'A', '2', 'EUR', null])).not.toBe(rowHashInput(['1', 'A', '2', 'EUR', '']));
  });

  it.each<[RowHashFields, RowHashFields]>([
    [
      ['a,b', 'c', 'd', 'e', 'f'],
      ['a', 'b,c', 'd', 'e', 'f'],
    ],
    [
      ['a', '', 'b', 'c', 'd'],
      ['', 'a', 'b', 'c', 'd'],
    ],
    [
      ['1:a,', 'b', 'c', 'd', 'e'],
      ['1', 'a', 'b', 'c', 'd,e'],
    ],
    [
      ['1:x,1:y', '', '', '', ''],
      ['x', 'y', '', '', ''],
    ],
    [
      ['~', 'a', 'b', 'c', 'd'],
      [null, 'a', 'b', 'c', 'd'],
    ],
    [
      ['ab', 'c', 'd', 'e', 'f'],
      ['a', 'bc', 'd', 'e', 'f'],
    ],
  ])('separates %j from %j', (left, right) => {
    expect(rowHashInput(left)).not.toBe(rowHashInput(right));
  });

  it('can be decoded back into the same fields (so it is unambiguous)', () => {
    const tuples: RowHashFields[] = [
      sample,
      ['1,2', ':', ',,', '0:,', null],
      ['', '', '', '', ''],
      ['é,😀', '~', '12:', 'x'.repeat(123), '\u0000'],
    ];
    for (const fields of tuples) expect(decode(rowHashInput(fields))).toEqual(fields);
  });
});

/** Reference decoder of the encoding, for the round-trip test. */
function decode(input: string): (string | null)[] {
  const bytes = new TextEncoder().encode(input);
  const fields: (string | null)[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] === 0x7e) {
      fields.push(null);
      at += 2;
      continue;
    }
    const colon = bytes.indexOf(0x3a, at);
    const length = Number(new TextDecoder().decode(bytes.subarray(at, colon)));
    fields.push(new TextDecoder().decode(bytes.subarray(colon + 1, colon + 1 + length)));
    if (bytes[colon + 1 + length] !== 0x2c) throw new Error('missing terminator');
    at = colon + 2 + length;
  }
  return fields;
}
