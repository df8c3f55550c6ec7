import type { StoredEvent } from '../eventstore/types.js';

/** Publishes stored events in the order given; resolves once the broker acknowledged all of them. */
export interface EventBus {
  publish(events: StoredEvent[]): Promise<void>;
}
