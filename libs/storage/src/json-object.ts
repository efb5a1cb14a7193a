import { LakeStateError, ObjectConflictError, TransientStorageError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from './object-store';
import type { z } from 'zod';

/** A small JSON control object as read, with the ETag to replace it conditionally. */
export interface VersionedJson<T> {
  readonly value: T;
  readonly etag: string;
}

/**
 * Reads a small JSON object and checks it against `schema`; `undefined` when it does not exist.
 * The ETag comes from `head` BEFORE the read: if the object changes in between, a later
 * `putIfMatch` with this ETag fails instead of silently overwriting the newer content.
 */
export async function readVersionedJson<S extends z.ZodType>(
  store: ObjectStore,
  ref: ObjectRef,
  schema: S,
  what: string,
): Promise<VersionedJson<z.output<S>> | undefined> {
  const meta = await store.head(ref);
  if (meta === undefined) return undefined;
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) return undefined;
  return { value: parseJson(bytes, ref, schema, what), etag: meta.etag };
}

/**
 * What `updateJson`'s `decide` returns: `write` (the new content) and the `result` to return once it
 * is written, or only a `result` when nothing is to be written.
 */
export type JsonDecision<T, R> = { readonly write: T; readonly result: R } | { readonly write?: undefined; readonly result: R };

/** How many lost races `updateJson` takes before it gives up, unless told otherwise. */
export const JSON_UPDATE_ATTEMPTS = 5;

/**
 * Read, decide, write a small JSON object under optimistic concurrency: reads it with its ETag
 * (`undefined` when missing), asks `decide`, and writes what it decided only if the object is still
 * what was read (`putIfAbsent` / `putIfMatch`). On a lost race it reads and decides again; after
 * `attempts` lost races it throws a retryable `TransientStorageError` naming the object (the
 * object kept changing: a later try may pass), with the last conflict as its cause.
 */
export async function updateJson<S extends z.ZodType, R>(
  store: ObjectStore,
  ref: ObjectRef,
  schema: S,
  what: string,
  decide: (current: z.output<S> | undefined) => JsonDecision<z.output<S>, R> | Promise<JsonDecision<z.output<S>, R>>,
  attempts: number = JSON_UPDATE_ATTEMPTS,
): Promise<R> {
  let conflict: ObjectConflictError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const current = await readVersionedJson(store, ref, schema, what);
    const decision = await decide(current?.value);
    if (decision.write === undefined) return decision.result;
    try {
      if (current === undefined) await store.putIfAbsent(ref, jsonBody(decision.write), JSON_PUT_OPTIONS);
      else await store.putIfMatch(ref, jsonBody(decision.write), current.etag, JSON_PUT_OPTIONS);
      return decision.result;
    } catch (error) {
      if (!(error instanceof ObjectConflictError)) throw error;
      conflict = error;
    }
  }
  throw new TransientStorageError(`${what} ${ref.bucket}/${ref.key} kept changing over ${attempts} attempts to update it`, {
    cause: conflict,
  });
}

/** Parses a small JSON object's bytes with `schema`; throws naming the object when it is malformed. */
export function parseJson<S extends z.ZodType>(bytes: Uint8Array, ref: ObjectRef, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new LakeStateError(`pipeline: ${what} ${ref.bucket}/${ref.key} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new LakeStateError(`pipeline: ${what} ${ref.bucket}/${ref.key} is malformed: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Serialises a control object (pretty, so a person can read it in the console). */
export function jsonBody(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Options every control-object write uses. */
export const JSON_PUT_OPTIONS = { contentType: 'application/json' } as const;
