import type { StoredEvent } from '../eventstore/types.js';
import type { EventBus } from './types.js';

/** In-memory twin of the bus: records what was published; can be told to fail. */
export class InMemoryEventBus implements EventBus {
  readonly published: StoredEvent[] = [];
  failWith: Error | undefined;

  async publish(events: StoredEvent[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(...structuredClone(events));
  }
}
