/** Kafka records carrying event envelopes, for projection tests. */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../lib/bus/envelope.js';
import type { IncomingRecord } from '../../lib/projection/records.js';

let offset = 0;

export function envelope(streamId: string, version: number, type: string, data: unknown): Envelope {
  return {
    eventId: randomUUID(),
    streamId,
    version,
    type,
    data,
    metadata: {},
    occurredAt: '2026-01-02T03:04:05.678Z',
    position: version,
  };
}

export function record(
  value: Envelope | string | null,
  partition = 0,
  topic = 'user-events',
): IncomingRecord {
  const raw = value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return {
    topic,
    partition,
    offset: String(offset++),
    timestamp: Date.now(),
    key: typeof value === 'object' && value ? Buffer.from(value.streamId) : null,
    value: raw,
    headers: {},
  };
}

/** Register, then renames to name2, name3, …, as envelopes at versions 1..n. */
export function userStream(streamId: string, renames: number): Envelope[] {
  const events = [
    envelope(streamId, 1, 'UserRegistered', { name: 'name1', dateRegister: '2026-01-02T03:04:05.678Z' }),
  ];
  for (let v = 2; v <= renames + 1; v++)
    events.push(envelope(streamId, v, 'UserRenamed', { name: `name${v}` }));
  return events;
}
