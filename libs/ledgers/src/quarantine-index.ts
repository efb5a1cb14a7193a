import { listAll, type LakeLayout, type ObjectRef, type ObjectStore, readLineBatches } from '@ledgerlake/storage';

/*
 * The quarantine history index (docs/contract/rules.md, "Quarantine history"): the row hashes every run sent to Quarantine,
 * partitioned by the row's transaction month, so that loop prevention can tell an exact re-send
 * of a known-bad row by reading only the months the new file touches — the cost follows the
 * partitions a file touches, not the size of the quarantine.
 *
 * Layout (`layout.control.quarantineIndex`): `index/quarantine-hashes/month=<YYYY-MM|unknown>/run_id=<run_id>.txt`,
 * one lowercase hex SHA-256 a line. `unknown` holds rows whose timestamp does not parse; every
 * look-up reads it too. One object per run and month: written once by the run's partition
 * writer, rewritten identically if the writer is retried, never appended to by another run.
 */

/** The month of rows whose `TransactionTimestamp` does not parse. */
export const UNKNOWN_MONTH = 'unknown';

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Writes a run's quarantined row hashes, one object per month (months without hashes are not
 * written). Hashes are de-duplicated and sorted. Returns the objects written.
 */
export async function writeQuarantineIndex(
  store: ObjectStore,
  layout: LakeLayout,
  runId: string,
  hashesByMonth: ReadonlyMap<string, readonly string[]>,
): Promise<ObjectRef[]> {
  const written: ObjectRef[] = [];
  for (const [month, hashes] of [...hashesByMonth].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ref = layout.control.quarantineIndex(month, runId);
    if (hashes.length === 0) continue;
    for (const hash of hashes) {
      if (!HASH_PATTERN.test(hash)) {
        throw new RangeError(`quarantine-index: invalid row hash ${JSON.stringify(hash)} for month ${month} (expected 64 lowercase hex digits)`);
      }
    }
    const unique = [...new Set(hashes)].sort();
    await store.put(ref, `${unique.join('\n')}\n`, { contentType: 'text/plain' });
    written.push(ref);
  }
  return written;
}

/** Which months of the index to read: the given ones plus `unknown`, each once. */
export function indexMonthsToRead(months: Iterable<string>): string[] {
  return [...new Set<string>([UNKNOWN_MONTH, ...months])].sort();
}

/** Options of `loadQuarantineHashes`. */
export interface LoadQuarantineHashesOptions {
  /** Runs whose entries are ignored (e.g. earlier failed attempts at the same file: not a re-send). */
  readonly excludeRunIds?: Iterable<string>;
}

/**
 * Loads the quarantined row hashes of the given months (and always `unknown`): only those
 * months' objects are listed and read.
 */
export async function loadQuarantineHashes(
  store: ObjectStore,
  layout: LakeLayout,
  months: Iterable<string>,
  options: LoadQuarantineHashesOptions = {},
): Promise<Set<string>> {
  const excluded = new Set([...(options.excludeRunIds ?? [])].map((runId) => `run_id=${runId}.txt`));
  const hashes = new Set<string>();
  for (const month of indexMonthsToRead(months)) {
    const { bucket, prefix } = layout.control.quarantineIndexPrefix(month);
    for await (const meta of listAll(store, bucket, prefix)) {
      if (excluded.has(meta.key.slice(prefix.length))) continue;
      const stream = await store.getStream({ bucket, key: meta.key });
      if (stream === undefined) continue; // removed while listing
      for await (const lines of readLineBatches(stream)) {
        for (const line of lines) if (line !== '') hashes.add(line);
      }
    }
  }
  return hashes;
}
