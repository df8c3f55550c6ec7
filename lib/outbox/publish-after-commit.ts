import type { EventBus } from '../bus/types.js';
import type { StoredEvent } from '../eventstore/types.js';
import { log } from '../log.js';

export interface OutboxPort {
  hasOlderPending(streamId: string, version: number): Promise<boolean>;
  markPublished(positions: number[]): Promise<void>;
}

export type PublishOutcome = 'published' | 'deferred-to-relay' | 'failed';

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes a command's committed events straight away, so the read side sees them quickly.
 * The events are already safe in the outbox: on any failure they stay there for the relay,
 * and the command still succeeds. An event is never published ahead of an older one of its
 * stream still pending; those are left to the relay, which publishes in order.
 */
export async function publishAfterCommit(
  events: StoredEvent[],
  deps: { bus: EventBus; outbox: OutboxPort; timeoutMs: number },
): Promise<PublishOutcome> {
  const first = events[0];
  if (!first) return 'published';
  try {
    // A stream's first event has nothing older to wait for: no need to ask.
    if (first.version > 1 && (await deps.outbox.hasOlderPending(first.streamId, first.version))) {
      return 'deferred-to-relay';
    }
    await withTimeout(deps.bus.publish(events), deps.timeoutMs);
  } catch (error) {
    log.warn('publish-deferred', { streamId: first.streamId, reason: (error as Error).message });
    return 'failed';
  }
  try {
    await deps.outbox.markPublished(events.map((e) => e.position));
  } catch (error) {
    // Published but not cleared: the relay publishes it again and the projection skips the duplicate.
    log.warn('outbox-clear-failed', { streamId: first.streamId, reason: (error as Error).message });
  }
  return 'published';
}
