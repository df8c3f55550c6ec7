import { InMemoryEventStore } from '../../../lib/eventstore/memory.js';
import { eventStoreContract } from '../../conformance/event-store.js';

eventStoreContract('in-memory twin', (options) => new InMemoryEventStore(options));
