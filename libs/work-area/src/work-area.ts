import { InternalError, LakeStateError } from '@ledgerlake/domain';
import { type LakeLayout, listAll, type ObjectRef, type ObjectStore, readLineBatches } from '@ledgerlake/storage';
import { decodeRowDecision, encodeRowDecision, type RowDecision } from './row-decision';

/** A run's scratch area: where its functions leave rows and decisions for the next one. */
export interface WorkArea {
  readonly bucket: string;
  /** Key prefix, ending in `/` (the layout's `work/<run_id>/`). */
  readonly prefix: string;
}

/**
 * What a work file holds: a typed enriched part (`enriched/part-NNNNN.bin`, enriched-part.ts),
 * the decisions of one function (`…/part-NNNNN.tsv`), or validation's typed part for the writer
 * (`validated/part-NNNNN.bin`, validated-part.ts).
 */
export type WorkStage = 'enriched' | 'loop-prevention' | 'validation' | 'validated';

const TYPED_STAGES: ReadonlySet<WorkStage> = new Set(['enriched', 'validated']);

/** Where part `part` of `stage` lives in the work area. */
export function workPartRef(area: WorkArea, stage: WorkStage, part: number): ObjectRef {
  if (!Number.isInteger(part) || part < 0 || part > 99_999) {
    throw new InternalError(`pipeline: work part number must be 0..99999, got ${part}`);
  }
  return { bucket: area.bucket, key: `${area.prefix}${stage}/part-${String(part).padStart(5, '0')}.${TYPED_STAGES.has(stage) ? 'bin' : 'tsv'}` };
}

/** The per-stage manifests of a run's work area: the items a Distributed Map reads (JSON arrays). */
export type WorkManifest = 'chunks' | 'parts';

const MANIFEST_KEYS: Readonly<Record<WorkManifest, string>> = {
  /** PlanChunks: every chunk of the file (`Chunk`), the EnrichChunks Map's items. */
  chunks: 'plan/chunks.json',
  /** CombineChunks: every enriched part (`WorkPart`), the ProcessParts Map's items. */
  parts: 'enriched/parts.json',
};

/** Where the manifest of `what` lives in the work area. */
export function workManifestRef(area: WorkArea, what: WorkManifest): ObjectRef {
  return { bucket: area.bucket, key: `${area.prefix}${MANIFEST_KEYS[what]}` };
}

/**
 * Where the Distributed Map over the manifest `what` writes its results (its ResultWriter
 * `Prefix`, without a trailing `/`): `work/map-results/<what>/<map-run-id>/manifest.json` and the
 * `SUCCEEDED_n.json` / `FAILED_n.json` files it lists.
 */
export function mapResultsPrefix(area: WorkArea, what: WorkManifest): { readonly bucket: string; readonly prefix: string } {
  return { bucket: area.bucket, prefix: `${area.prefix}map-results/${what}` };
}

/** How many deletes of a work area are in flight at once. */
const REMOVE_CONCURRENCY = 16;

/**
 * Removes a finished run's work area (`work/<run_id>/`: full copies of its rows), every object
 * in it; returns how many were removed. Called where a run ends — published, blocked, failed,
 * skipped as a duplicate — and by the local command line for an interrupted run. In the cloud the
 * artifacts bucket's lifecycle also expires `work/` after a day, for runs that never got here.
 */
export async function removeWorkArea(store: ObjectStore, layout: LakeLayout, runId: string): Promise<number> {
  const { bucket, prefix } = layout.artifacts.workPrefix(runId);
  const keys: string[] = [];
  for await (const object of listAll(store, bucket, prefix)) keys.push(object.key);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      await store.delete({ bucket, key });
    }
  };
  await Promise.all(Array.from({ length: Math.min(REMOVE_CONCURRENCY, keys.length) }, worker));
  return keys.length;
}

/** The logging `tidyWorkArea` does (Powertools' Logger has it). */
export interface WorkAreaLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * `removeWorkArea` at the end of a run, where a failure to tidy up must not change the run's
 * outcome: it is logged (the lifecycle rule expires what is left) and never thrown.
 */
export async function tidyWorkArea(store: ObjectStore, layout: LakeLayout, runId: string, logger?: WorkAreaLogger): Promise<void> {
  try {
    const removed = await removeWorkArea(store, layout, runId);
    logger?.info('work area removed', { work_objects_removed: removed });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger?.warn('work area not removed; the artifacts lifecycle expires it within a day', { error: reason });
  }
}


async function openRequired(store: ObjectStore, ref: ObjectRef): Promise<AsyncIterable<Uint8Array>> {
  const stream = await store.getStream(ref);
  if (!stream) throw new LakeStateError(`pipeline: work file ${ref.bucket}/${ref.key} is missing`);
  return stream;
}

/** Reads one part's decisions, keyed by row index. A missing file is an error: every function writes one per part. */
export async function readDecisions(store: ObjectStore, ref: ObjectRef): Promise<Map<number, RowDecision>> {
  const decisions = new Map<number, RowDecision>();
  for await (const lines of readLineBatches(await openRequired(store, ref))) {
    for (const line of lines) {
      const d = decodeRowDecision(line);
      decisions.set(d.index, d);
    }
  }
  return decisions;
}

/** Writes one part's decisions (possibly none), in row order. */
export async function writeDecisions(store: ObjectStore, ref: ObjectRef, decisions: readonly RowDecision[]): Promise<void> {
  const sorted = [...decisions].sort((a, b) => a.index - b.index);
  const body = sorted.map(encodeRowDecision).join('\n');
  await store.put(ref, sorted.length === 0 ? '' : body + '\n', { contentType: 'text/tab-separated-values' });
}
