import { LakeStateError } from '@ledgerlake/domain';
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
