import { StorageError } from '@ledgerlake/domain';
import type { ListPage, ObjectMeta, ObjectStore } from './object-store';

/** Fetches the pages of one listing in turn; stops with `StorageError` if an adapter hands back a token it already gave. */
async function* pagesOf(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
): AsyncGenerator<ListPage> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await store.list(bucket, prefix, {
      ...(token === undefined ? {} : { token }),
      ...(delimiter === undefined ? {} : { delimiter }),
    });
    yield page;
    token = page.nextToken;
    if (token !== undefined) {
      if (seen.has(token)) {
        throw new StorageError(`list-all: ${bucket}/${prefix} listing repeated continuation token ${token}`);
      }
      seen.add(token);
    }
  } while (token !== undefined);
}

/** Every object whose key starts with `prefix`, across all pages, in byte order. */
export async function* listAll(store: ObjectStore, bucket: string, prefix: string): AsyncGenerator<ObjectMeta> {
  for await (const page of pagesOf(store, bucket, prefix, undefined)) {
    yield* page.objects;
  }
}

/** Every common prefix (e.g. the partition folders) directly under `prefix`, across all pages. */
export async function listPrefixes(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  delimiter = '/',
): Promise<string[]> {
  const prefixes: string[] = [];
  for await (const page of pagesOf(store, bucket, prefix, delimiter)) {
    prefixes.push(...page.prefixes);
  }
  return prefixes;
}
