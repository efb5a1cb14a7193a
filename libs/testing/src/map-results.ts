import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '@ledgerlake/storage';

/** What a Distributed Map with a ResultWriter returns: its map run and its results manifest. */
export interface WrittenMapResults {
  readonly MapRunArn: string;
  readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string };
}

/**
 * Writes `outputs` as a Distributed Map's ResultWriter does — `<prefix>/<map-run-id>/SUCCEEDED_0.json`
 * (one entry per child, its output as JSON text) and `manifest.json` listing it — and returns the
 * Map state's output: what a Task after the Map reads its children's results from. For tests of
 * the Tasks that read a Map's results without running the Map.
 */
export async function writeMapResults(
  store: ObjectStore,
  where: { readonly bucket: string; readonly prefix: string },
  outputs: readonly unknown[],
): Promise<WrittenMapResults> {
  const id = randomUUID();
  const mapRunArn = `arn:aws:states:local:000000000000:mapRun:ledgerlake/test:${id}`;
  const folder = `${where.prefix}/${id}`;
  const at = new Date().toISOString();
  const succeeded = outputs.map((output, index) => ({
    ExecutionArn: `arn:aws:states:local:000000000000:execution:ledgerlake/test:${id}-${index}`,
    Input: '{}',
    InputDetails: { Included: true },
    Name: `${id}-${index}`,
    Output: JSON.stringify(output),
    OutputDetails: { Included: true },
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: at,
    StateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:ledgerlake/test',
    Status: 'SUCCEEDED',
    StopDate: at,
  }));
  const files = [];
  if (succeeded.length > 0) {
    const body = JSON.stringify(succeeded);
    const key = `${folder}/SUCCEEDED_0.json`;
    await store.put({ bucket: where.bucket, key }, body);
    files.push({ Key: key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${folder}/manifest.json`;
  const manifest = { DestinationBucket: where.bucket, MapRunArn: mapRunArn, ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: files } };
  await store.put({ bucket: where.bucket, key: manifestKey }, JSON.stringify(manifest));
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: where.bucket, Key: manifestKey } };
}
