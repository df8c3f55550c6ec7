/** The message every event travels in on Kafka: key = stream id, value = this JSON, headers for routing. */
import * as z from 'zod';
import type { StoredEvent } from '../eventstore/types.js';
import { isoTimestamp, uuidText } from '../schemas.js';

/** Bounded by the columns the projection writes: the read model's CHAR(36) ids, the events' VARCHAR(100) type. */
const envelopeSchema = z.strictObject({
  eventId: uuidText,
  streamId: uuidText,
  /** The aggregate of the stream; absent on events stored before it was recorded. */
  streamType: z.string().min(1).max(64).optional(),
  version: z.number().int().positive().max(4294967295),
  type: z.string().min(1).max(100),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  occurredAt: isoTimestamp,
  position: z.number().int().nonnegative(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export interface OutgoingMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function toMessage(event: StoredEvent): OutgoingMessage {
  const envelope: Envelope = {
    eventId: event.eventId,
    streamId: event.streamId,
    ...(event.streamType === undefined ? {} : { streamType: event.streamType }),
    version: event.version,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata },
    occurredAt: event.occurredAt,
    position: event.position,
  };
  return {
    key: event.streamId,
    value: JSON.stringify(envelope),
    headers: {
      'event-type': event.type,
      'event-id': event.eventId,
      'content-type': 'application/json',
      // The command's trace context (OpenTelemetry messaging: the producer's context in the message).
      ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
    },
  };
}

export type DecodedEnvelope =
  { ok: true; envelope: Envelope } | { ok: false; code: 'UNPARSEABLE' | 'INVALID_ENVELOPE'; reason: string };

/** Parses and checks a message value; never throws. */
export function decodeEnvelope(value: Buffer | string | null | undefined): DecodedEnvelope {
  if (value === null || value === undefined || value.length === 0) {
    return { ok: false, code: 'UNPARSEABLE', reason: 'empty message value' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { ok: false, code: 'UNPARSEABLE', reason: `value is not JSON: ${(error as Error).message}` };
  }
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'envelope'}: ${i.message}`);
    return { ok: false, code: 'INVALID_ENVELOPE', reason: problems.join('; ').slice(0, 1500) };
  }
  return { ok: true, envelope: result.data };
}
