import { StorageError } from '@ledgerlake/domain';
import {
  buildListPage,
  decodeListToken,
  encodeListToken,
  type KeyCursor,
  MAX_LIST_LIMIT,
  resolveListLimit,
} from './list-page';
import type { ObjectMeta } from './object-store';

function cursorOver(keys: readonly string[]) {
  const calls: string[] = [];
  const open = (after: string | undefined): KeyCursor => {
    let index = after === undefined ? 0 : keys.findIndex((k) => k > after);
    if (index < 0) index = keys.length;
    let skip: string | undefined;
    return {
      next: async () => {
        while (index < keys.length) {
          const key = keys[index] as string;
          index += 1;
          if (skip === undefined || !key.startsWith(skip)) return key;
        }
        return undefined;
      },
      skip: (prefix) => {
        calls.push(prefix);
        skip = prefix;
      },
    };
  };
  return { open, calls };
}

const describeKey = async (key: string): Promise<ObjectMeta> => ({
  key,
  size: key.length,
  etag: `"${key}"`,
  lastModified: new Date(0),
});

describe('list tokens', () => {
  it('round-trip a position', () => {
    const position = { after: 'a/ü 😀', isPrefix: true };

    expect(decodeListToken('b', encodeListToken(position))).toEqual(position);
  });

  const foreign = ['{"v":2,"a":"x","p":false}', '[1]'].map((json) => Buffer.from(json).toString('base64url'));

  it.each(['', 'garbage', ...foreign])(
    'refuse %j with a StorageError',
    (token) => {
      expect(() => decodeListToken('bucket', token)).toThrow(StorageError);
      expect(() => decodeListToken('bucket', token)).toThrow('storage: invalid continuation token');
    },
  );
});

describe('resolveListLimit', () => {
  it('defaults to 1000 and clamps larger limits to it, as S3 does', () => {
    expect(resolveListLimit('b', undefined)).toBe(MAX_LIST_LIMIT);
    expect(resolveListLimit('b', 5000)).toBe(1000);
    expect(resolveListLimit('b', 7)).toBe(7);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p', (limit) => {
    expect(() => resolveListLimit('b', limit)).toThrow('storage: invalid list limit');
  });
});

describe('buildListPage', () => {
  const keys = ['p/a', 'p/b/1', 'p/b/2', 'p/c', 'p/d/1'];

  it('returns every key and no token when they fit in one page', async () => {
    const page = await buildListPage('b', 'p/', {}, cursorOver(keys).open, describeKey);

    expect(page.objects.map((o) => o.key)).toEqual(keys);
    expect(page.prefixes).toEqual([]);
    expect(page.nextToken).toBeUndefined();
  });

  it('sets a token only when another key follows the full page', async () => {
    const exact = await buildListPage('b', 'p/', { limit: 5 }, cursorOver(keys).open, describeKey);
    const short = await buildListPage('b', 'p/', { limit: 4 }, cursorOver(keys).open, describeKey);

    expect(exact.nextToken).toBeUndefined();
    expect(short.nextToken).toEqual(expect.any(String));
    const options = { limit: 4, token: short.nextToken as string };
    const rest = await buildListPage('b', 'p/', options, cursorOver(keys).open, describeKey);
    expect(rest.objects.map((o) => o.key)).toEqual(['p/d/1']);
  });

  it('collapses keys into common prefixes and skips the rest of each', async () => {
    const { open, calls } = cursorOver(keys);

    const page = await buildListPage('b', 'p/', { delimiter: '/' }, open, describeKey);

    expect(page.objects.map((o) => o.key)).toEqual(['p/a', 'p/c']);
    expect(page.prefixes).toEqual(['p/b/', 'p/d/']);
    expect(calls).toEqual(['p/b/', 'p/d/']);
  });

  it('resumes after a common prefix without repeating it', async () => {
    const first = await buildListPage('b', 'p/', { delimiter: '/', limit: 2 }, cursorOver(keys).open, describeKey);
    const second = await buildListPage(
      'b',
      'p/',
      { delimiter: '/', limit: 2, token: first.nextToken as string },
      cursorOver(keys).open,
      describeKey,
    );

    expect([...first.objects.map((o) => o.key), ...first.prefixes]).toEqual(['p/a', 'p/b/']);
    expect([...second.objects.map((o) => o.key), ...second.prefixes]).toEqual(['p/c', 'p/d/']);
    expect(second.nextToken).toBeUndefined();
  });

  it('treats an empty delimiter as none', async () => {
    const page = await buildListPage('b', 'p/', { delimiter: '' }, cursorOver(keys).open, describeKey);

    expect(page.prefixes).toEqual([]);
    expect(page.objects).toHaveLength(5);
  });

  it('leaves out keys deleted between listing and describing them', async () => {
    const page = await buildListPage('b', 'p/', {}, cursorOver(keys).open, async (key) =>
      key === 'p/c' ? undefined : describeKey(key),
    );

    expect(page.objects.map((o) => o.key)).toEqual(['p/a', 'p/b/1', 'p/b/2', 'p/d/1']);
  });
});
