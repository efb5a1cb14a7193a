import { createLakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { FaultInjectingStore } from '@ledgerlake/testing';
import { removeWorkArea, tidyWorkArea } from './work-area';

const layout = createLakeLayout(stageBuckets('ledgerlake-ci'));
const RUN = '20240105T090000Z-0123456789ab';
const OTHER = '20240105T091500Z-ba9876543210';

async function seeded(): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  for (let part = 0; part < 40; part += 1) {
    await store.put(layout.artifacts.workObject(RUN, `enriched/part-${String(part).padStart(5, '0')}.bin`), 'rows');
  }
  await store.put(layout.artifacts.workObject(RUN, 'plan/chunks.json'), '[]');
  await store.put(layout.artifacts.workObject(OTHER, 'enriched/part-00000.bin'), 'rows');
  await store.put(layout.artifacts.runRecord(RUN), '{}');
  await store.put(layout.artifacts.manifest(RUN), '{}');
  return store;
}

async function keys(store: MemoryObjectStore): Promise<string[]> {
  const page = await store.list(layout.buckets.artifacts, '');
  return page.objects.map((object) => object.key).sort();
}

describe('removeWorkArea', () => {
  it("removes every object of the run's work area, and nothing of its record, its manifest or another run's work", async () => {
    const store = await seeded();

    expect(await removeWorkArea(store, layout, RUN)).toBe(41);
    expect(await keys(store)).toEqual([
      layout.artifacts.manifest(RUN).key,
      layout.artifacts.runRecord(RUN).key,
      layout.artifacts.workObject(OTHER, 'enriched/part-00000.bin').key,
    ].sort());
    expect(await removeWorkArea(store, layout, RUN)).toBe(0);
  });
});

describe('tidyWorkArea', () => {
  it('logs what it removed', async () => {
    const store = await seeded();
    const infos: unknown[][] = [];

    await tidyWorkArea(store, layout, RUN, { info: (...args) => infos.push(args), warn: () => undefined });

    expect(infos).toEqual([['work area removed', { work_objects_removed: 41 }]]);
  });

  it('never fails the run it tidies up after: a failed delete is a warning, and the rest stays for the lifecycle rule', async () => {
    const inner = await seeded();
    const store = new FaultInjectingStore(inner, (call) => (call.op === 'delete' ? new Error('AccessDenied') : undefined));
    const warnings: unknown[][] = [];

    await expect(tidyWorkArea(store, layout, RUN, { info: () => undefined, warn: (...args) => warnings.push(args) })).resolves.toBeUndefined();

    expect(warnings).toEqual([['work area not removed; the artifacts lifecycle expires it within a day', { error: 'AccessDenied' }]]);
    expect((await keys(inner)).length).toBe(44);
  });
});
