import type { S3Client } from '@aws-sdk/client-s3';
import { describeObjectStoreContract, startS3rver, type S3rverHandle } from '@ledgerlake/testing';
import { S3ObjectStore } from '../../src/s3-object-store';

// The shared ObjectStore contract against S3ObjectStore, over real HTTP to an in-process s3rver.
// The client carries the S3 emulation (libs/testing emulate-s3-semantics.ts): s3rver itself does not
// enforce If-None-Match / If-Match, so the conditional-write cases test the adapter against an
// emulation of S3's server-side check; everything else is s3rver's own behaviour.
let s3rver: S3rverHandle;
let client: S3Client;
let buckets = 0;

beforeAll(async () => {
  s3rver = await startS3rver();
  client = s3rver.createClient();
});

afterAll(async () => {
  await s3rver?.stop();
});

describeObjectStoreContract('S3ObjectStore (s3rver)', async () => {
  // A fresh, empty bucket per test: the whole server directory goes away in afterAll.
  const bucket = `contract-${++buckets}`;
  await s3rver.createBucket(bucket);
  return { store: new S3ObjectStore(client), bucket };
});
