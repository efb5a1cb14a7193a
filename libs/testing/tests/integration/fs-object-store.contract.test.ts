import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '@ledgerlake/storage';
import { describeObjectStoreContract } from '../../src/object-store-contract';

// Each test gets a fresh lake folder; the adapter runs with its defaults (fsync on).
describeObjectStoreContract('FsObjectStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ledgerlake-fs-contract-'));
  return {
    store: new FsObjectStore(root),
    bucket: 'contract',
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
