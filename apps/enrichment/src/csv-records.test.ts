import { createHash } from 'node:crypto';
import { UNPARSEABLE_RECORD_HASH_PREFIX } from '@ledgerlake/domain';
import { referenceCsvRecords, type ReferenceRecord } from '@ledgerlake/testing';
import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvRecordReader } from './csv-records';

type Found = [line: number, fields: string[]] | ['BAD', number, string, string, string];

const rawHash = (raw: string | Buffer): string => createHash('sha256').update(UNPARSEABLE_RECORD_HASH_PREFIX).update(raw).digest('hex');

function read(text: string | Buffer, chunkSize = 64 * 1024, maxRecordBytes = 1024): Found[] {
  const found: Found[] = [];
  const reader = new CsvRecordReader(
    {
      record: (fields, line) => found.push([line, fields]),
      unparseable: (line, problem, snippet, hash) => found.push(['BAD', line, problem, snippet, hash]),
    },
    { maxRecordBytes },
  );
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let at = 0; at < bytes.length; at += chunkSize) reader.write(bytes.subarray(at, at + chunkSize));
  reader.end();
  return found;
}

const lines = (found: Found[]) => found.map((f) => f[1] === undefined ? f : f[0] === 'BAD' ? `BAD@${f[1]}` : f[0]);

describe('CsvRecordReader', () => {
  it('reports records with 1-based start lines', () => {
    expect(read('h1,h2\na,b\nc,d\n')).toEqual([[1, ['h1', 'h2']], [2, ['a', 'b']], [3, ['c', 'd']]]);
  });

  it('reads the last record without a trailing newline', () => {
    expect(read('h\nx')).toEqual([[1, ['h']], [2, ['x']]]);
  });

  it('strips a UTF-8 BOM', () => {
    expect(read('\ufeffh1,h2\n1,2\n')[0]).toEqual([1, ['h1', 'h2']]);
  });

  it('reads CRLF files, and mixed line endings', () => {
    expect(read('h1,h2\r\na,b\r\nc,d\ne,f\r\n')).toEqual([[1, ['h1', 'h2']], [2, ['a', 'b']], [3, ['c', 'd']], [4, ['e', 'f']]]);
  });

  it('keeps commas and doubled quotes inside quoted fields', () => {
    expect(read('h\n"a,b","say ""hi"""\n')[1]).toEqual([2, ['a,b', 'say "hi"']]);
  });

  it('counts a quoted LF newline so the next record has the right line', () => {
    expect(lines(read('h,h\n1,"two\nlines"\n2,x\n'))).toEqual([1, 2, 4]);
  });

  it('counts a quoted CRLF newline once (csv-parse counts it twice)', () => {
    const found = read('h,h\r\n1,"two\r\nlines\r\nmore"\r\n2,x\r\n3,y\r\n');
    expect(lines(found)).toEqual([1, 2, 5, 6]);
    expect(found[1]).toEqual([2, ['1', 'two\r\nlines\r\nmore']]);
  });

  it('does not count a lone CR as a line break', () => {
    expect(lines(read('h,h\n1,"a\rb"\n2,c\rd\n3,x\n'))).toEqual([1, 2, 3, 4]);
  });

  it('skips empty lines and still numbers the following records right', () => {
    expect(lines(read('\n\nh\n\n\r\na\n\n\nb'))).toEqual([3, 6, 9]);
  });

  it('reports whitespace-only lines as records (the caller decides they are blank)', () => {
    expect(read('h\n  \t\nx\n')).toEqual([[1, ['h']], [2, ['  \t']], [3, ['x']]]);
  });

  it('keeps stray quotes inside a field literally', () => {
    expect(read('h,h\n1,12" pipe\n2,"a"b\n').slice(1)).toEqual([[2, ['1', '12" pipe']], [3, ['2', '"a"b']]]);
  });

  it('reads a quote that never closes to the end of the file: the rest is one unparseable record (RFC 4180)', () => {
    const text = 'h,h\n1,ok\n2,"open\n3,fine\n\n4,also fine\n';
    const found = read(text);
    expect(found.map((f) => (f[0] === 'BAD' ? ['BAD', f[1], f[3]] : f))).toEqual([
      [1, ['h', 'h']],
      [2, ['1', 'ok']],
      ['BAD', 3, '2,"open'],
    ]);
    expect(found[2]?.[2]).toBe(
      'the record starting on line 3 has a quoted field that is never closed (CSV_QUOTE_NOT_CLOSED); a quoted field in it never closes, so it runs to the end of the file (line 6)',
    );
    expect(found[2]?.[4]).toBe(rawHash('2,"open\n3,fine\n\n4,also fine\n'));
  });

  it('reads a quoted field over maxRecordBytes to its closing quote: row-like lines inside it are not records', () => {
    const body = Array.from({ length: 20 }, (_, i) => `${i},row ${i}`).join('\n');
    const found = read(`h,h\n0,"open\n${body}\n",x\n9,after\n`, 7, 40);
    expect(found.map((f) => (f[0] === 'BAD' ? ['BAD', f[1], f[3]] : f))).toEqual([
      [1, ['h', 'h']],
      ['BAD', 2, '0,"open'],
      [24, ['9', 'after']],
    ]);
    expect(found[1]?.[2]).toBe('the record starting on line 2 is longer than 40 bytes (CSV_MAX_RECORD_SIZE); it ends on line 23');
    expect(found[1]?.[4]).toBe(rawHash(`0,"open\n${body}\n",x`));
  });

  it('ends an over-long unquoted record at its line end', () => {
    const found = read(`h,h\r\n1,${'x'.repeat(100)}\r\n2,b\r\n`, 8, 30);
    expect(lines(found)).toEqual([1, 'BAD@2', 3]);
    expect(found[1]?.[2]).toMatch(/line 2 is longer than 30 bytes \(CSV_MAX_RECORD_SIZE\); it ends on the same line$/);
    expect(found[1]?.[4]).toBe(rawHash(`1,${'x'.repeat(100)}`));
    expect(found[2]).toEqual([3, ['2', 'b']]);
  });

  it('hashes an unparseable record the same when an empty chunk falls between its CR and LF', () => {
    const found: string[] = [];
    const reader = new CsvRecordReader({ record: () => undefined, unparseable: (_line, _problem, _text, hash) => void found.push(hash) }, { maxRecordBytes: 10 });
    for (const piece of ['h,h\n', `1,${'x'.repeat(20)}\r`, '', '\n2,b\n']) reader.write(Buffer.from(piece));
    reader.end();
    expect(found).toEqual([rawHash(`1,${'x'.repeat(20)}`)]);
  });

  it('gives two different unparseable records two hashes, and the same bytes the same hash wherever they are', () => {
    const a = `1,"${'a'.repeat(50)}`;
    const b = `1,"${'b'.repeat(50)}`;
    const bad = (text: string) => read(text, 5, 30).filter((f) => f[0] === 'BAD').map((f) => f[4]);
    const [first, second] = bad(`h,h\n${a}",x\n${b}",x\n`);
    expect(first).not.toBe(second);
    expect(bad(`h,h\n\n\nz,z\n${b}",x\r\n`)).toEqual([second]);
  });

  it('finds the same records and lines whatever the chunk size', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z ]{0,4}$/),
      fc.stringMatching(/^[a-z,\n"]{0,6}$/).map((s) => `"${s.replace(/"/g, '""')}"`),
      fc.constantFrom('"a\r\nb"', '"\n"', '"x\ry"'),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(','));
    const file = fc.tuple(fc.array(record, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'));
    fc.assert(
      fc.property(file, fc.integer({ min: 1, max: 9 }), ([records, eol], chunk) => {
        const text = records.join(eol) + eol;
        const found = read(text, chunk);
        // Same records as csv-parse reading the whole text at once…
        const reference = parseSync(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
        expect(found.map((f) => f[1] as string[])).toEqual(reference);
        // …each starting on 1 + the number of LFs before it.
        const expected: number[] = [];
        let offset = 0;
        for (const record of records) {
          if (record !== '') expected.push(1 + (text.slice(0, offset).match(/\n/g) ?? []).length);
          offset += record.length + eol.length;
        }
        expect(found.map((f) => f[0])).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('numbers every record as a line counter over LF would', () => {
    // Without quoted fields, a record's line is 1 + the number of LFs before it.
    const text = 'h,h\r\n\r\na,b\n  \nc,d\r\n\n\ne,f';
    const expected = [0, 2, 3, 4, 7].map((n) => n + 1);
    expect(lines(read(text, 3))).toEqual(expected);
  });

  it('numbers a record whose field is a quoted CR right when it is read at the end of the file before a last lone CR (found by the property)', () => {
    const bytes = Buffer.from('h,h\n"\r"\n\r');
    const reference = referenceCsvRecords(bytes).map((r) => r.line);
    for (let chunk = 1; chunk <= 9; chunk++) {
      const found = read(bytes, chunk, 4);
      expect([chunk, found.map((f) => (f[0] === 'BAD' ? f[1] : f[0]))]).toEqual([chunk, reference]);
    }
  });

  it('finds the records of the independent reference reading, with unparseable ones hashed over their bytes (property)', () => {
    const piece = fc.constantFrom('a', 'b', ' ', ',', '"', '""', '\n', '\r\n', '\r', 'é', 'x,"q\ny",z');
    const text = fc.array(piece, { maxLength: 60 }).map((pieces) => `h,h\n${pieces.join('')}`);
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 4, max: 30 }), (content, chunk, maxRecordBytes) => {
        const bytes = Buffer.from(content);
        const found = read(bytes, chunk, maxRecordBytes);
        const reference = referenceCsvRecords(bytes);
        expect(found.map((f) => (f[0] === 'BAD' ? f[1] : f[0]))).toEqual(reference.map((r) => r.line));
        found.forEach((f, i) => {
          const ref = reference[i] as ReferenceRecord;
          if (f[0] === 'BAD') {
            expect(ref.unclosed || ref.raw.length > maxRecordBytes).toBe(true);
            expect(f[4]).toBe(rawHash(ref.raw));
          } else {
            expect(f[1]).toEqual(ref.fields);
          }
        });
      }),
      { numRuns: 2000 },
    );
  });
});
