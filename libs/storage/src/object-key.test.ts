import { StorageError } from '@ledgerlake/domain';
import { assertBucketName, assertListPrefix, assertObjectKey, assertObjectRef, compareKeys } from './object-key';

describe('assertBucketName', () => {
  it.each(['bronze', 'ledgerlake-prod-quarantine', 'a.b.c', 'abc'])('accepts %j', (bucket) => {
    expect(() => assertBucketName(bucket)).not.toThrow();
  });

  it.each(['', 'ab', '.tmp', '.locks', '..', 'Bronze', 'a/b', 'a..b', '-abc', 'abc-', 'a'.repeat(64)])(
    'rejects %j with a StorageError naming it',
    (bucket) => {
      expect(() => assertBucketName(bucket)).toThrow(StorageError);
      expect(() => assertBucketName(bucket)).toThrow(`storage: invalid bucket name ${JSON.stringify(bucket)}`);
    },
  );
});

describe('assertObjectKey', () => {
  it.each(['a', 'a/b/c.parquet', 'with space/ü 😀', '.hidden/x', 'a/..b', 'x'.repeat(1024)])('accepts %j', (key) => {
    expect(() => assertObjectKey('bucket', key)).not.toThrow();
  });

  it.each([
    ['', 'the key is empty'],
    ['/abs', 'absolute keys are not allowed'],
    ['a//b', 'an empty path segment'],
    ['a/', 'an empty path segment'],
    ['../x', 'a ".." path segment'],
    ['a/../b', 'a ".." path segment'],
    ['a/./b', 'a "." path segment'],
    ['a\0b', 'NUL'],
    ['é'.repeat(513), 'longer than 1024 UTF-8 bytes'],
  ])('rejects %j (%s)', (key, why) => {
    expect(() => assertObjectKey('bucket', key)).toThrow(StorageError);
    expect(() => assertObjectKey('bucket', key)).toThrow(why);
    expect(() => assertObjectKey('bucket', key)).toThrow(`invalid key ${JSON.stringify(key)} in bucket bucket`);
  });
});

describe('assertObjectRef', () => {
  it('checks both the bucket and the key', () => {
    expect(() => assertObjectRef({ bucket: 'ok-bucket', key: 'ok' })).not.toThrow();
    expect(() => assertObjectRef({ bucket: '..', key: 'ok' })).toThrow('invalid bucket name');
    expect(() => assertObjectRef({ bucket: 'ok-bucket', key: '..' })).toThrow('invalid key');
  });
});

describe('assertListPrefix', () => {
  it.each(['', 'a', 'a/', 'a/b', 'a/..b', 'a/.', 'a/..'])('accepts %j (the last segment may be partial)', (prefix) => {
    expect(() => assertListPrefix('bucket', prefix)).not.toThrow();
  });

  it.each(['/a', '../', 'a/../b', 'a//', 'a\0'])('rejects %j', (prefix) => {
    expect(() => assertListPrefix('bucket', prefix)).toThrow(StorageError);
    expect(() => assertListPrefix('bucket', prefix)).toThrow(`invalid list prefix ${JSON.stringify(prefix)}`);
  });
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes: U+FF5A before U+1F600, unlike UTF-16 string comparison', () => {
    expect('\uFF5A' < '😀').toBe(false); // what plain JS comparison says
    expect(compareKeys('\uFF5A', '😀')).toBeLessThan(0);
  });

  it("orders '-' (0x2D) before '/' (0x2F) before '0' (0x30)", () => {
    expect(['a0', 'a/b', 'a-c'].sort(compareKeys)).toEqual(['a-c', 'a/b', 'a0']);
  });

  it('is zero for equal keys and orders a prefix first', () => {
    expect(compareKeys('abc', 'abc')).toBe(0);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('abc', 'ab')).toBeGreaterThan(0);
  });
});
