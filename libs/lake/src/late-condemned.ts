import { type LakeLayout, listAll, type ObjectRef, type ObjectStore, type YearMonth } from '@ledgerlake/storage';
import { monthName } from './published-partition';

/*
 * Rows promotion condemns at a month's commit because another run published their keys first
 * (docs/exactly-once.md) go to the run's Condemned folder as `part-late-<YYYY-MM>-<tag>.parquet`,
 * beside the partition writer's `part-NNNNN.parquet`; the tag names the set of late keys, so a
 * retried commit writes the same object again.
 */

const LATE = 'part-late-';

/** The object of one month's late rows for one set of late keys. */
export function lateCondemnedRef(layout: LakeLayout, ingestDate: string, runId: string, month: YearMonth, tag: string): ObjectRef {
  return layout.condemned.runObject(ingestDate, runId, `${LATE}${monthName(month)}-${tag}.parquet`);
}

/** The run's late-row objects (of one month, or all), as stored now. */
export async function listLateCondemned(
  store: ObjectStore,
  layout: LakeLayout,
  ingestDate: string,
  runId: string,
  month?: YearMonth,
): Promise<ObjectRef[]> {
  const { bucket, prefix } = layout.condemned.runPrefix(ingestDate, runId);
  const refs: ObjectRef[] = [];
  for await (const object of listAll(store, bucket, `${prefix}${LATE}${month === undefined ? '' : `${monthName(month)}-`}`)) {
    refs.push({ bucket, key: object.key });
  }
  return refs;
}
