import { checkEnvelope, envelopeOf, toMessage, type OutgoingMessage } from '../bus/envelope.js';
import type { StoredEvent } from '../eventstore/types.js';
import type { DecodedRecord } from '../projection/plan.js';
import type { IncomingRecord } from '../projection/records.js';

/**
 * A stored event's record whose key, value and headers are written only when read (a dead letter
 * reads them; an applied event never does). A class, so the lazy fields cost one object per event.
 */
class StoredEventRecord implements IncomingRecord {
  readonly topic = '(rebuild)';
  readonly partition = -1;
  readonly offset: string;
  readonly timestamp: number;
  private message: OutgoingMessage | undefined;

  constructor(private readonly event: StoredEvent) {
    this.offset = String(event.position);
    this.timestamp = Date.parse(event.occurredAt);
  }

  get key(): Buffer {
    return Buffer.from(this.wire().key);
  }

  get value(): Buffer {
    return Buffer.from(this.wire().value);
  }

  get headers(): Record<string, string> {
    return this.wire().headers;
  }

  private wire(): OutgoingMessage {
    return (this.message ??= toMessage(this.event));
  }
}

/**
 * The record a stored event is projected as: the same envelope Kafka carries, so the same decoding
 * applies. A plain object with its bytes written out, so it can be copied and spread.
 */
export function recordFromStoredEvent(event: StoredEvent): IncomingRecord {
  const { topic, partition, offset, timestamp, key, value, headers } = new StoredEventRecord(event);
  return { topic, partition, offset, timestamp, key, value, headers };
}

/**
 * A stored event as the projection's planner takes it, without the trip through the message's
 * JSON: its envelope gets the same check a decoded message does.
 */
export function decodedFromStoredEvent(event: StoredEvent): DecodedRecord {
  return { record: new StoredEventRecord(event), decoded: checkEnvelope(envelopeOf(event)) };
}
