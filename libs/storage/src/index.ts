export type {
  ByteRange,
  ListOptions,
  ListPage,
  ObjectBody,
  ObjectMeta,
  ObjectRef,
  ObjectStore,
  PutOptions,
  PutResult,
} from './object-store';
export { isStreamBody } from './object-store';
export { MemoryObjectStore } from './memory-object-store';
export { FS_LOCKS_DIR, FS_TMP_DIR, FsObjectStore, type FsObjectStoreOptions } from './fs-object-store';
export { listAll, listPrefixes } from './list-all';
export { assertBucketName, assertListPrefix, assertObjectKey, assertObjectRef, compareKeys } from './object-key';
export { resolveByteRange, type ResolvedRange } from './byte-range';
export { MAX_LIST_LIMIT } from './list-page';
export {
  createLakeLayout,
  LAKE_BUCKET_NAMES,
  GOLD_SCHEMA_VERSION,
  GOLD_TABLE_NAMES,
  isSilverTable,
  PUBLISHED_TABLE_NAME_PATTERN,
  PUBLISHED_TABLE_NAMES,
  localBuckets,
  parseBronzeKey,
  isRunbookFileName,
  parseRunIdFromKey,
  RUNBOOK_FILE_NAME_PATTERN,
  parseSilverPartition,
  silverPartitionValues,
  stageBuckets,
  type ArtifactsLayout,
  type BronzeLayout,
  type ControlLayout,
  type GoldLayout,
  type LakeBucketName,
  type LakeBuckets,
  type LakeLayout,
  type PrefixRef,
  type PublishedTableLayout,
  type PublishedTableName,
  type RejectedRowsLayout,
  type SilverLayout,
  type YearMonth,
} from './layout';
export {
  JSON_PUT_OPTIONS,
  JSON_UPDATE_ATTEMPTS,
  jsonBody,
  type JsonDecision,
  parseJson,
  readVersionedJson,
  updateJson,
  type VersionedJson,
} from './json-object';
export { readLineBatches } from './line-batches';
