import { toMessage } from '../bus/envelope.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { IncomingRecord } from '../projection/records.js';

/** The record a stored event is projected as in a rebuild: the same envelope Kafka carries, so the same decoding applies. */
export function recordFromStoredEvent(event: StoredEvent): IncomingRecord {
  const message = toMessage(event);
  return {
    topic: '(rebuild)',
    partition: -1,
    offset: String(event.position),
    timestamp: Date.parse(event.occurredAt),
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: message.headers,
  };
}
