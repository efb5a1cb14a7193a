import { PassThrough } from 'node:stream';
import { toLineWriter } from './line-sink';

describe('toLineWriter', () => {
  it('passes each line to a function sink as is', () => {
    const lines: string[] = [];
    const write = toLineWriter((line) => lines.push(line));

    write('{"a":1}');
    write('{"b":2}');

    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('writes each line to a stream followed by a newline (JSONL)', () => {
    const stream = new PassThrough({ encoding: 'utf8' });
    const write = toLineWriter(stream);

    write('{"a":1}');
    write('{"b":2}');

    expect(stream.read()).toBe('{"a":1}\n{"b":2}\n');
  });
});
