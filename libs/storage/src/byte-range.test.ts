import { StorageError } from '@ledgerlake/domain';
import { resolveByteRange } from './byte-range';

const ref = { bucket: 'bucket', key: 'k' };

describe('resolveByteRange', () => {
  it('is the whole object without a range', () => {
    expect(resolveByteRange(ref, 10, undefined)).toEqual({ start: 0, end: 9 });
  });

  it('is empty (end = start - 1) for an empty object without a range', () => {
    expect(resolveByteRange(ref, 0, undefined)).toEqual({ start: 0, end: -1 });
  });

  it('reads from start to the end when end is absent', () => {
    expect(resolveByteRange(ref, 10, { start: 4 })).toEqual({ start: 4, end: 9 });
  });

  it('keeps an inclusive end inside the object', () => {
    expect(resolveByteRange(ref, 10, { start: 2, end: 2 })).toEqual({ start: 2, end: 2 });
  });

  it('clamps an end past the last byte', () => {
    expect(resolveByteRange(ref, 10, { start: 8, end: 100 })).toEqual({ start: 8, end: 9 });
  });

  it('refuses a start at or past the end, naming the object and its size', () => {
    expect(() => resolveByteRange(ref, 10, { start: 10 })).toThrow(StorageError);
    expect(() => resolveByteRange(ref, 10, { start: 10 })).toThrow(
      'storage: byte range start 10 is not within bucket/k (10 bytes)',
    );
    expect(() => resolveByteRange(ref, 0, { start: 0 })).toThrow(StorageError);
  });

  it.each([{ start: -1 }, { start: 1.5 }, { start: 5, end: 4 }, { start: 0, end: Number.NaN }])(
    'refuses the malformed range %j',
    (range) => {
      expect(() => resolveByteRange(ref, 10, range)).toThrow('storage: invalid byte range');
    },
  );
});
