export { RunManifestSchema, type RunManifest } from './run-manifest';
export {
  monthName,
  parseMonthName,
  parseSymlinkManifest,
  PublishedPartitionSchema,
  PublishedRunSchema,
  readLatest,
  listSilverMonths,
  readVersion,
  symlinkManifest,
  VersionRequestSchema,
  type PublishedPartition,
  type PublishedRun,
  type VersionRequest,
} from './published-partition';
export {
  describeVersions,
  placeRun,
  readPartitionVersions,
  type RunPlacement,
  type VersionEntry,
  type VersionKind,
} from './partition-history';
export {
  CatalogPartitionSchema,
  LakeCatalog,
  partitionValues,
  readLakeCatalog,
  type CatalogPartition,
  type PartitionCatalog,
} from './lake-catalog';
export { readRejectedRows, rejectedRowGroups, type RejectedRow } from './rejected-rows';
export { rejectedColumns, RUN_CONSTANT_COLUMNS, SILVER_COLUMNS } from './lake-tables';
export { lateCondemnedRef, listLateCondemned } from './late-condemned';
export { runLayout } from './run-dataset';
