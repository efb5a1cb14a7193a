import { MemoryObjectStore } from '@ledgerlake/storage';
import { writeMapResults } from '@ledgerlake/testing';
import { z } from 'zod';
import { firstFailedChild, readMapItems, readMapResults, writeMapItems, writePartManifest } from './map-items';

const WORK = { bucket: 'artifacts', prefix: 'work/r1/' };
const PREFIX = { bucket: 'artifacts', prefix: 'work/r1/map-results/parts' };
/** A ProcessParts child's output: WritePart's result. */
const written = (part: number) => ({
  part,
  counts: { input_rows: 2, valid_rows: 1, quarantined_rows: 1, condemned_rows: 0 },
  quarantine_by_reason: { TYPE_ERROR: 1 },
  condemned_by_reason: {},
  result: { bucket: 'artifacts', key: `work/r1/written/part-${part}.json` },
});

describe('Map items and results in the work area', () => {
  it('writes a part manifest the Map reads and returns what $.enrichment says of it', async () => {
    const store = new MemoryObjectStore();

    const section = await writePartManifest(store, WORK, [
      { part: 0, rows: 5 },
      { part: 100, rows: 2 },
    ]);

    expect(section).toEqual({
      part_count: 2,
      part_span: 101,
      part_manifest: { bucket: 'artifacts', key: 'work/r1/enriched/parts.json' },
      part_results: PREFIX,
    });
    expect(await readMapItems(store, section.part_manifest, z.object({ part: z.number(), rows: z.number() }), 'part')).toEqual([
      { part: 0, rows: 5 },
      { part: 100, rows: 2 },
    ]);
  });

  it('names a missing or malformed items manifest', async () => {
    const store = new MemoryObjectStore();
    const ref = { bucket: 'artifacts', key: 'work/r1/plan/chunks.json' };

    await expect(readMapItems(store, ref, z.object({ part: z.number() }), 'chunk')).rejects.toThrow('the chunk manifest artifacts/work/r1/plan/chunks.json is missing');
    await writeMapItems(store, ref, [{ part: 'x' }]);
    await expect(readMapItems(store, ref, z.object({ part: z.number() }), 'chunk')).rejects.toThrow('chunk manifest artifacts/work/r1/plan/chunks.json is malformed');
  });

  it("reads every child's output from the ResultWriter files and checks each", async () => {
    const store = new MemoryObjectStore();
    const results = await writeMapResults(store, PREFIX, [written(3), written(1)]);

    expect(await readMapResults(store, results, 'ProcessParts')).toEqual([written(3), written(1)]);
    const bad = await writeMapResults(store, PREFIX, [{ ...written(3), part: 'three' }]);
    await expect(readMapResults(store, bad, 'ProcessParts')).rejects.toThrow(/a ProcessParts result in .*SUCCEEDED_0\.json .* is malformed/);
  });

  it('refuses results that list failed children, and finds the first failed child of the latest map run', async () => {
    const store = new MemoryObjectStore();
    const folder = `${PREFIX.prefix}/run-a`;
    await store.put({ bucket: 'artifacts', key: `${folder}/FAILED_0.json` }, JSON.stringify([{ Status: 'FAILED', Error: 'StorageError', Cause: 'disk full' }]));
    const manifest = { DestinationBucket: 'artifacts', MapRunArn: 'arn:a', ResultFiles: { FAILED: [{ Key: `${folder}/FAILED_0.json` }], SUCCEEDED: [] } };
    await store.put({ bucket: 'artifacts', key: `${folder}/manifest.json` }, JSON.stringify(manifest));
    const results = { MapRunArn: 'arn:a', ResultWriterDetails: { Bucket: 'artifacts', Key: `${folder}/manifest.json` } };

    await expect(readMapResults(store, results, 'ProcessParts')).rejects.toThrow('lists 1 result file(s) of children that did not succeed');
    expect(await firstFailedChild(store, PREFIX)).toEqual({ Error: 'StorageError', Cause: 'disk full' });
    expect(await firstFailedChild(store, { bucket: 'artifacts', prefix: 'work/r2/map-results/parts' })).toBeUndefined();
  });
});
