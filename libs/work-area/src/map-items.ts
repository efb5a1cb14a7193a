import { LakeStateError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { JSON_PUT_OPTIONS, parseJson } from '@ledgerlake/storage';
import { type EnrichmentResult, type MapOutput, mapOutputSchema, type MapResultsPrefix, type MapRunResults, type MapStateName } from '@ledgerlake/contract';
import { mapResultsPrefix, type WorkArea, workManifestRef } from './work-area';

/**
 * The two ends of a Distributed Map in the run's work area (docs/work-area.md "Map items and
 * results"): the items manifest a Task writes and the Map's `ItemReader` reads (a JSON array), and
 * the result files its `ResultWriter` writes, which the next Task reads back. The state between
 * them carries only the two keys, whatever the number of items.
 */

/** Writes a Map's items: one JSON array, compact (a 3,400-part manifest is about 100 KB). */
export async function writeMapItems(store: ObjectStore, ref: ObjectRef, items: readonly unknown[]): Promise<void> {
  await store.put(ref, JSON.stringify(items), JSON_PUT_OPTIONS);
}

/** The parts fields of `$.enrichment`: how many, their span, their manifest and where their Map's results go. */
export type EnrichedPartsSection = Pick<EnrichmentResult, 'part_count' | 'part_span' | 'part_manifest' | 'part_results'>;

/** Writes the manifest of a run's enriched parts (the ProcessParts Map's items) and returns what `$.enrichment` says of them. */
export async function writePartManifest(
  store: ObjectStore,
  work: WorkArea,
  parts: readonly { readonly part: number; readonly rows: number }[],
): Promise<EnrichedPartsSection> {
  const manifest = workManifestRef(work, 'parts');
  await writeMapItems(store, manifest, parts.map(({ part, rows }) => ({ part, rows })));
  return {
    part_count: parts.length,
    part_span: parts.reduce((span, { part }) => Math.max(span, part + 1), 0),
    part_manifest: manifest,
    part_results: mapResultsPrefix(work, 'parts'),
  };
}

/** Reads a Map's items manifest, every item checked against `item`; a missing manifest is an error naming it. */
export async function readMapItems<S extends z.ZodType>(store: ObjectStore, ref: ObjectRef, item: S, what: string): Promise<z.output<S>[]> {
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) throw new LakeStateError(`pipeline: the ${what} manifest ${ref.bucket}/${ref.key} is missing`);
  return parseJson(bytes, ref, z.array(item), `${what} manifest`);
}

/** A ResultWriter manifest (`<prefix>/<map-run-id>/manifest.json`): the result files, by status. */
const ResultManifestSchema = z.object({
  DestinationBucket: z.string().min(1),
  MapRunArn: z.string().min(1),
  ResultFiles: z.object({
    FAILED: z.array(z.object({ Key: z.string().min(1) })).default([]),
    PENDING: z.array(z.object({ Key: z.string().min(1) })).default([]),
    SUCCEEDED: z.array(z.object({ Key: z.string().min(1) })).default([]),
  }),
});

/** One child execution in a result file; `Output` (SUCCEEDED) and `Error`/`Cause` (FAILED) are JSON text. */
const ChildResultSchema = z.object({
  Name: z.string().optional(),
  Status: z.string(),
  Output: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});

/** A failed child execution's error, as Step Functions reports it. */
export interface ChildError {
  readonly Error: string;
  readonly Cause: string;
}

/**
 * Every child execution's output of the Distributed Map `map`, each checked against the
 * contract's schema of it (its last child's result), in the order of the result files. A child
 * that did not succeed is an error: the Map succeeds only when all did (`ToleratedFailurePercentage` 0).
 */
export async function readMapResults<M extends MapStateName>(store: ObjectStore, results: MapRunResults, map: M): Promise<MapOutput<M>[]> {
  const output = mapOutputSchema(map);
  const what = map;
  const manifestRef = { bucket: results.ResultWriterDetails.Bucket, key: results.ResultWriterDetails.Key };
  const manifest = await readResultManifest(store, manifestRef);
  const unfinished = manifest.ResultFiles.FAILED.length + manifest.ResultFiles.PENDING.length;
  if (unfinished > 0) {
    throw new LakeStateError(`pipeline: the ${what} map run ${manifest.MapRunArn} lists ${unfinished} result file(s) of children that did not succeed`);
  }
  const outputs: MapOutput<M>[] = [];
  for (const { Key } of manifest.ResultFiles.SUCCEEDED) {
    const ref = { bucket: manifest.DestinationBucket, key: Key };
    for (const child of await readResultFile(store, ref)) {
      const parsed = output.safeParse(parseOutput(child.Output));
      if (!parsed.success) {
        throw new LakeStateError(`pipeline: a ${what} result in ${ref.bucket}/${ref.key} (child ${child.Name ?? '?'}) is malformed: ${parsed.error.message}`);
      }
      outputs.push(parsed.data as MapOutput<M>);
    }
  }
  return outputs;
}

/**
 * The error of the first failed child of the latest map run written under `prefix`, if any: a
 * Distributed Map whose child failed fails as `States.ExceedToleratedFailureThreshold`, and the
 * child's own error (e.g. `CircuitBreakerOpenError`) is what the run record must say.
 */
export async function firstFailedChild(store: ObjectStore, prefix: MapResultsPrefix): Promise<ChildError | undefined> {
  const manifests: { key: string; at: number }[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(prefix.bucket, `${prefix.prefix}/`, token === undefined ? {} : { token });
    for (const object of page.objects) {
      if (object.key.endsWith('/manifest.json')) manifests.push({ key: object.key, at: object.lastModified.getTime() });
    }
    token = page.nextToken;
  } while (token !== undefined);
  manifests.sort((a, b) => b.at - a.at);
  for (const { key } of manifests) {
    const manifest = await readResultManifest(store, { bucket: prefix.bucket, key });
    for (const { Key } of manifest.ResultFiles.FAILED) {
      const failed = (await readResultFile(store, { bucket: manifest.DestinationBucket, key: Key })).find((child) => child.Error !== undefined);
      if (failed !== undefined) return { Error: failed.Error as string, Cause: failed.Cause ?? '' };
    }
  }
  return undefined;
}

async function readResultManifest(store: ObjectStore, ref: ObjectRef): Promise<z.output<typeof ResultManifestSchema>> {
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) throw new LakeStateError(`pipeline: the map results manifest ${ref.bucket}/${ref.key} is missing`);
  return parseJson(bytes, ref, ResultManifestSchema, 'map results manifest');
}

async function readResultFile(store: ObjectStore, ref: ObjectRef): Promise<z.output<typeof ChildResultSchema>[]> {
  const bytes = await store.getBytes(ref);
  if (bytes === undefined) throw new LakeStateError(`pipeline: the map result file ${ref.bucket}/${ref.key} is missing`);
  return parseJson(bytes, ref, z.array(ChildResultSchema), 'map result file');
}

function parseOutput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
