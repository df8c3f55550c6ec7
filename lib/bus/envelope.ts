/** The message every event travels in on Kafka: key = stream id, value = this JSON, headers for routing. */
import * as z from 'zod';
import type { StoredEvent } from '../eventstore/types.js';
import { ISO_TIMESTAMP, ISO_TIMESTAMP_MAX_LENGTH, isoTimestamp, UUID, uuidText } from '../schemas.js';

/** The envelope's schema, the authority on what is valid. Bounded by the columns the projection writes: the read model's CHAR(36) ids, the events' VARCHAR(100) type. */
export const envelopeSchema = z.strictObject({
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

const ENVELOPE_KEYS = new Set(Object.keys(envelopeSchema.shape));
const REQUIRED_KEYS = [
  'eventId',
  'streamId',
  'version',
  'type',
  'data',
  'metadata',
  'occurredAt',
  'position',
];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isUuid = (value: unknown) => typeof value === 'string' && value.length === 36 && UUID.test(value);
const isText = (value: unknown, max: number) =>
  typeof value === 'string' && value.length >= 1 && value.length <= max;

/**
 * The envelope check written out for the common case, at a fraction of the schema's cost. It
 * accepts only what `envelopeSchema` accepts (test/unit/projection/envelope-check.test.ts keeps
 * the two in step); anything it refuses goes through the schema, which has the last word and
 * names the problem.
 */
function isWellFormedEnvelope(value: unknown): value is Envelope {
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (!ENVELOPE_KEYS.has(key)) return false;
  for (const key of REQUIRED_KEYS) if (!Object.hasOwn(value, key)) return false;
  const { version, position, occurredAt, metadata } = value;
  return (
    isUuid(value.eventId) &&
    isUuid(value.streamId) &&
    (value.streamType === undefined || isText(value.streamType, 64)) &&
    typeof version === 'number' &&
    Number.isSafeInteger(version) &&
    version >= 1 &&
    version <= 4294967295 &&
    isText(value.type, 100) &&
    isPlainObject(metadata) &&
    !Object.hasOwn(metadata, '__proto__') &&
    typeof occurredAt === 'string' &&
    occurredAt.length <= ISO_TIMESTAMP_MAX_LENGTH &&
    ISO_TIMESTAMP.test(occurredAt) &&
    typeof position === 'number' &&
    Number.isSafeInteger(position) &&
    position >= 0
  );
}

/** The envelope a stored event travels in. */
export function envelopeOf(event: StoredEvent): Envelope {
  return {
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
}

export interface OutgoingMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function toMessage(event: StoredEvent): OutgoingMessage {
  return {
    key: event.streamId,
    value: JSON.stringify(envelopeOf(event)),
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
  return checkEnvelope(parsed);
}

/** Checks a parsed message value against the envelope schema; never throws. */
export function checkEnvelope(parsed: unknown): DecodedEnvelope {
  if (isWellFormedEnvelope(parsed)) return { ok: true, envelope: parsed };
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'envelope'}: ${i.message}`);
    return { ok: false, code: 'INVALID_ENVELOPE', reason: problems.join('; ').slice(0, 1500) };
  }
  return { ok: true, envelope: result.data };
}
