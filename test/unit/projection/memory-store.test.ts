import { InMemoryProjectionStore } from '../../../lib/projection/memory.js';
import { projectionStoreContract } from '../../conformance/projection-store.js';

const store = new InMemoryProjectionStore();

projectionStoreContract('in-memory twin', async () => ({
  store,
  view: async (id) => store.views.get(id),
  deadLetterCodes: async (topic) =>
    store.deadLetters.filter((d) => d.record.topic === topic).map((d) => d.code),
  parkedCount: async (id) => store.parked.get(id)?.length ?? 0,
}));
