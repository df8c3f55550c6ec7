import { checkEnvelope, envelopeOf, toMessage, type OutgoingMessage } from '../bus/envelope.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { DecodedRecord } from '../projection/plan.js';
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

/**
 * A stored event as the projection's planner takes it, without the trip through the message's
 * JSON: its envelope gets the same check a decoded message does, and the record's key, value and
 * headers are written only when read (a dead letter reads them; an applied event never does).
 */
export function decodedFromStoredEvent(event: StoredEvent): DecodedRecord {
  let message: OutgoingMessage | undefined;
  const wire = () => (message ??= toMessage(event));
  const record: IncomingRecord = {
    topic: '(rebuild)',
    partition: -1,
    offset: String(event.position),
    timestamp: Date.parse(event.occurredAt),
    get key() {
      return Buffer.from(wire().key);
    },
    get value() {
      return Buffer.from(wire().value);
    },
    get headers() {
      return wire().headers;
    },
  };
  return { record, decoded: checkEnvelope(envelopeOf(event)) };
}
