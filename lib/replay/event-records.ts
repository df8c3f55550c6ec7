import { toMessage } from '../bus/envelope.js';
import type { rowToEvent } from '../eventstore/mariadb.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { IncomingRecord } from '../projection/records.js';

/** The record a replayed event is projected as: the same envelope Kafka carries, so the same decoding applies. */
export function recordFromStoredEvent(event: StoredEvent): IncomingRecord {
  const message = toMessage(event);
  return {
    topic: '(replay)',
    partition: -1,
    offset: String(event.position),
    timestamp: Date.parse(event.occurredAt),
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: message.headers,
  };
}

export type EventRow = Parameters<typeof rowToEvent>[0];

export const EVENT_COLUMNS = 'position, event_id, stream_id, version, type, data, metadata, occurred_at';
