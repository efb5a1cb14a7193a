import { Utf8Check } from './utf8-check';

function check(chunks: Buffer[]) {
  const checker = new Utf8Check();
  for (const chunk of chunks) {
    const problem = checker.check(chunk);
    if (problem) return problem;
  }
  return checker.end();
}

describe('Utf8Check', () => {
  it('accepts multi-byte characters split across chunks', () => {
    const bytes = Buffer.from('a,€,😀\nb,ü\n', 'utf8');
    for (let size = 1; size <= 4; size++) {
      const chunks = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      expect(check(chunks)).toBeUndefined();
    }
  });

  it('finds the offset and line of an invalid byte', () => {
    const bytes = Buffer.concat([Buffer.from('h\nok\nbad,'), Buffer.from([0xe9]), Buffer.from(',x\n')]);
    expect(check([bytes.subarray(0, 3), bytes.subarray(3)])).toEqual({ offset: 9, line: 3 });
  });

  it('rejects a stream that ends inside a character', () => {
    expect(check([Buffer.from('ab\n'), Buffer.from([0xe2, 0x82])])).toEqual({ offset: 3, line: 2 });
  });

  it('rejects a UTF-16 file', () => {
    expect(check([Buffer.from('\ufeffh\n', 'utf16le')])).toMatchObject({ offset: 0, line: 1 });
  });
});
