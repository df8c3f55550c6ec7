import { InMemoryProjectionStore } from '../../../lib/projection/memory.js';
import { projectionStoreContract } from '../../conformance/projection-store.js';
import { registry } from '../../fixtures/registry.js';

const store = new InMemoryProjectionStore(registry);

projectionStoreContract('in-memory twin', async () => ({
  store,
  view: async (aggregate, id) => store.view(aggregate, id),
  deadLetterCodes: async (topic) =>
    store.deadLetters.filter((d) => d.record.topic === topic).map((d) => d.code),
  parkedCount: async (id) => store.parked.get(id)?.length ?? 0,
}));
