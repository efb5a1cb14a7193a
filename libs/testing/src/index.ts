export { fakeLambdaContext } from './fake-lambda-context';
export { loadFixture } from './load-fixture';
export { captureSink } from './capture-sink';
export type { CapturedSink, SinkRecord } from './capture-sink';
export { describeObjectStoreContract, type ObjectStoreContractSubject } from './object-store-contract';
export { DEFAULT_BAD_ROW_MIX, generateTransactionsCsv, seededRandom, type BadRowMix, type GeneratedFile, type GenerateOptions } from './transactions-csv';
export { openParquetScratch, type ParquetScratch } from './parquet-scratch';
export { AthenaOnDuckDb } from './athena-on-duckdb';
export { lakeBucketsEnv } from './lake-buckets-env';
export { startFakeSlack, type FakeSlack, type FakeSlackRequest, type FakeSlackResponse } from './fake-slack';
export {
  crashAtKey,
  crashAtMutation,
  diskFull,
  FaultInjectingStore,
  type FaultDecision,
  type FaultRule,
  SimulatedCrash,
  type StoreCall,
  type StoreOperation,
} from './fault-injecting-store';
export { writeMapResults, type WrittenMapResults } from './map-results';
export { referenceCsvRecords, type ReferenceRecord } from './reference-csv';
export { assertLegacyOpenSslProvider, startS3rver, type S3rverHandle } from './start-s3rver';
export { emulateS3Semantics, type ListedObject } from './emulate-s3-semantics';
export { PAYMENTS_DATASET } from './payments-dataset';
