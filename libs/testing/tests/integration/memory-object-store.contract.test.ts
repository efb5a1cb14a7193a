import { MemoryObjectStore } from '@ledgerlake/storage';
import { describeObjectStoreContract } from '../../src/object-store-contract';

// The contract runs here rather than in libs/storage: storage may not depend on testing (module
// boundaries), while testing depends on storage anyway.
describeObjectStoreContract('MemoryObjectStore', async () => ({ store: new MemoryObjectStore(), bucket: 'contract' }));
