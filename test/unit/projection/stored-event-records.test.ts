/**
 * A rebuild hands stored events to the planner without the trip through the message's JSON. The
 * planner must see exactly what it would have seen from the message Kafka carries.
 */
import { decodeEnvelope } from '../../../lib/bus/envelope.js';
import type { StoredEvent } from '../../../lib/eventstore/types.js';
import { decodedFromStoredEvent, recordFromStoredEvent } from '../../../lib/rebuild/event-records.js';

const event: StoredEvent = {
  eventId: '0b7c6a52-3c1e-4f7a-9d2e-8a1b2c3d4e5f',
  streamId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  streamType: 'user',
  version: 3,
  type: 'UserRenamed',
  data: { name: { $pd: 'v1.AAAA' } },
  metadata: {
    requestId: 'r-1',
    schemaVersion: 1,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
  occurredAt: '2026-01-02T03:04:05.678Z',
  position: 42,
};

const variants: Array<[string, StoredEvent]> = [
  ['an event with every field', event],
  ['an event stored before its stream type was recorded', { ...event, streamType: undefined }],
  ['an event whose stored id is no UUID (the check refuses it)', { ...event, eventId: 'not-a-uuid' }],
  ['an event with a version out of range', { ...event, version: 0 }],
];

describe('a stored event in a rebuild', () => {
  it.each(variants)('%s decodes as its message would', (_name, stored) => {
    const direct = decodedFromStoredEvent(stored);
    const viaMessage = recordFromStoredEvent(stored);
    expect(direct.decoded).toEqual(decodeEnvelope(viaMessage.value));
  });

  it("keeps the message's key, value and headers for a dead letter to read", () => {
    const { record } = decodedFromStoredEvent(event);
    const viaMessage = recordFromStoredEvent(event);
    expect([record.key, record.value, record.headers, record.offset, record.timestamp]).toEqual([
      viaMessage.key,
      viaMessage.value,
      viaMessage.headers,
      viaMessage.offset,
      viaMessage.timestamp,
    ]);
  });
});
