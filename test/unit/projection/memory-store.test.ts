import { InMemoryDataKeyStore } from '../../../lib/personal-data/key-store.js';
import { MasterKeyWrapper } from '../../../lib/personal-data/key-wrapping.js';
import { Keyring } from '../../../lib/personal-data/keyring.js';
import { InMemoryProjectionStore } from '../../../lib/projection/memory.js';
import { projectionStoreContract } from '../../conformance/projection-store.js';
import { registry } from '../../fixtures/registry.js';

// One key table and keeper, with a keyring for the writer and one for the store, as two containers.
const keys = new InMemoryDataKeyStore();
const keeper = new MasterKeyWrapper(Buffer.alloc(32, 7));
const store = new InMemoryProjectionStore(registry, new Keyring(keys, keeper));

projectionStoreContract('in-memory twin', async () => ({
  store,
  view: async (aggregate, id) => store.view(aggregate, id),
  deadLetterCodes: async (topic) =>
    store.deadLetters.filter((d) => d.record.topic === topic).map((d) => d.code),
  parkedCount: async (id) => store.parked.get(id)?.length ?? 0,
  writerKeyring: new Keyring(keys, keeper),
}));
