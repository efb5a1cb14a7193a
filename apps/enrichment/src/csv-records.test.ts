import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvRecordReader } from './csv-records';

type Found = [line: number, fields: string[]] | ['BAD', number, string, string];

function read(text: string | Buffer, chunkSize = 64 * 1024, maxRecordBytes = 1024): Found[] {
  const found: Found[] = [];
  const reader = new CsvRecordReader(
    {
      record: (fields, line) => found.push([line, fields]),
      unparseable: (line, problem, snippet) => found.push(['BAD', line, problem, snippet]),
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

  it('keeps a quote that never closes as one unparseable line and parses the lines after it', () => {
    const found = read('h,h\n1,ok\n2,"open\n3,fine\n\n4,also fine\n');
    expect(found.map((f) => (f[0] === 'BAD' ? ['BAD', f[1], f[3]] : f))).toEqual([
      [1, ['h', 'h']],
      [2, ['1', 'ok']],
      ['BAD', 3, '2,"open'],
      [4, ['3', 'fine']],
      [6, ['4', 'also fine']],
    ]);
    expect(found[2]?.[2]).toMatch(/record starting on line 3 is never closed \(CSV_QUOTE_NOT_CLOSED/);
  });

  it('gives up on a quote that does not close within maxRecordBytes, and resumes after that line', () => {
    const body = Array.from({ length: 20 }, (_, i) => `${i},row ${i}`).join('\n');
    const found = read(`h,h\n0,"open\n${body}\n"x,y\n`, 7, 40);
    const bad = found.filter((f) => f[0] === 'BAD');
    expect(bad[0]).toEqual(['BAD', 2, expect.stringMatching(/does not close within 40 bytes \(CSV_MAX_RECORD_SIZE\)/), '0,"open']);
    expect(found.find((f) => f[0] === 3)).toEqual([3, ['0', 'row 0']]);
  });

  it('skips the rest of an over-long unparseable line', () => {
    const found = read(`h,h\n1,"${'x'.repeat(100)}\n2,b\n`, 8, 30);
    expect(lines(found)).toEqual([1, 'BAD@2', 3]);
    expect(found[2]).toEqual([3, ['2', 'b']]);
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
});
