import type { Registry } from '../aggregate/registry.js';
import type { InlineProjection } from '../eventstore/mariadb.js';
import { openEvents } from './events.js';
import type { Keyring } from './keyring.js';

/**
 * What runs in the transaction of every append, besides the events and outbox rows: the write
 * models get the events opened (they keep current state, which erasure clears), and an
 * aggregate's erasure event deletes the stream's key in that same transaction.
 */
export function appendSideEffects(
  registry: Registry,
  writeModels: InlineProjection | undefined,
  keyring: Keyring,
): InlineProjection {
  const byStreamType = new Map(registry.aggregates.map((a) => [a.streamType, a]));
  // An append holds the events of one stream, so of one aggregate.
  return async (transaction, events) => {
    const first = events[0];
    const aggregate = first?.streamType === undefined ? undefined : byStreamType.get(first.streamType);
    if (!first || !aggregate) return;
    if (writeModels) await writeModels(transaction, await openEvents(aggregate, events, keyring));
    if (aggregate.erasure !== undefined && events.some((e) => e.type === aggregate.erasure)) {
      await keyring.erase(first.streamId, transaction);
    }
  };
}
