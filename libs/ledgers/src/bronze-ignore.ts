import { ObjectConflictError, RunbookRefusedError } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { JSON_PUT_OPTIONS, jsonBody, readVersionedJson } from '@ledgerlake/storage';


/*
 * Bronze objects a person marked ignored (`control/bronze/ignored/<bronze key>.json`): a file
 * landed by mistake, or one whose run ended BLOCKED or FAILED and that nobody will fix. No trigger,
 * sweep or ingest runs an ignored object again. Written once, with create-if-absent, recording who,
 * when and why; Bronze itself is never changed (it is immutable).
 */

/** The record of an ignored Bronze object. */
export const BronzeIgnoreSchema = z.object({
  /** The Bronze object (its key in the Bronze bucket). */
  bronze_key: z.string().min(1),
  by: z.string().min(1),
  reason: z.string().min(1),
  at: z.iso.datetime(),
  /** The object's last run when it was ignored, if it had one. */
  last_run_id: z.string().min(1).nullable(),
});
/** The record of an ignored Bronze object. */
export type BronzeIgnore = z.infer<typeof BronzeIgnoreSchema>;

/**
 * Marks a Bronze object ignored: `by` and `reason` must be given; an object already ignored refuses
 * (`RunbookRefusedError` naming who ignored it, when and why). Returns the record written.
 */
export async function ignoreBronzeObject(store: ObjectStore, layout: LakeLayout, request: BronzeIgnore): Promise<BronzeIgnore> {
  if (request.by.trim() === '' || request.reason.trim() === '') {
    throw new RunbookRefusedError('ignoring a Bronze object needs who decides it (by) and why (reason)');
  }
  const record = BronzeIgnoreSchema.parse({ ...request, by: request.by.trim(), reason: request.reason.trim() });
  try {
    await store.putIfAbsent(layout.control.ignoredBronzeObject(record.bronze_key), jsonBody(record), JSON_PUT_OPTIONS);
    return record;
  } catch (error) {
    if (!(error instanceof ObjectConflictError)) throw error;
    const earlier = await readBronzeIgnore(store, layout, record.bronze_key);
    const who = earlier === undefined ? '' : ` by ${earlier.by} at ${earlier.at} (${earlier.reason})`;
    throw new RunbookRefusedError(`${record.bronze_key} was already ignored${who}`);
  }
}

/** The ignore record of a Bronze object, if a person ignored it. */
export async function readBronzeIgnore(store: ObjectStore, layout: LakeLayout, bronzeKey: string): Promise<BronzeIgnore | undefined> {
  return (await readVersionedJson(store, layout.control.ignoredBronzeObject(bronzeKey), BronzeIgnoreSchema, 'Bronze ignore record'))?.value;
}
