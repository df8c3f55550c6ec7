/**
 * The projection checks each envelope with a written-out check before falling back to the
 * envelope schema. That check may refuse more than the schema (the schema then decides), never
 * accept more: every envelope below must be decoded exactly as the schema alone would.
 */
import { decodeEnvelope, envelopeSchema } from '../../../lib/bus/envelope.js';

const valid = {
  eventId: '0b7c6a52-3c1e-4f7a-9d2e-8a1b2c3d4e5f',
  streamId: 'A1B2C3D4-E5F6-4a7b-8c9d-0e1f2a3b4c5d',
  streamType: 'user',
  version: 3,
  type: 'UserRenamed',
  data: { name: 'Ada' },
  metadata: { requestId: 'r-1', schemaVersion: 1 },
  occurredAt: '2026-01-02T03:04:05.678Z',
  position: 42,
};

const without = (key: keyof typeof valid) => {
  const copy: Record<string, unknown> = { ...valid };
  delete copy[key];
  return copy;
};

const variants: Array<[string, unknown]> = [
  ['a complete envelope', valid],
  ['no streamType (events stored before it was recorded)', without('streamType')],
  ['data of any shape', { ...valid, data: [1, 'two', null] }],
  ['data null', { ...valid, data: null }],
  ['no data', without('data')],
  ['an unknown key', { ...valid, extra: 1 }],
  ['an array', [valid]],
  ['null', null],
  ['a string', 'envelope'],
  ...(['eventId', 'streamId', 'version', 'type', 'metadata', 'occurredAt', 'position'] as const).map(
    (key): [string, unknown] => [`no ${key}`, without(key)],
  ),
  ['an eventId that is no UUID', { ...valid, eventId: 'not-a-uuid' }],
  ['a streamId with a trailing newline', { ...valid, streamId: `${valid.streamId}\n` }],
  ['a streamId of 37 characters', { ...valid, streamId: `${valid.streamId}0` }],
  ['an empty streamType', { ...valid, streamType: '' }],
  ['a streamType of 65 characters', { ...valid, streamType: 'u'.repeat(65) }],
  ['a streamType of 64 characters', { ...valid, streamType: 'u'.repeat(64) }],
  ['a streamType that is a number', { ...valid, streamType: 7 }],
  ['version 0', { ...valid, version: 0 }],
  ['version 1.5', { ...valid, version: 1.5 }],
  ['version as text', { ...valid, version: '3' }],
  ['version 2^32 - 1', { ...valid, version: 4294967295 }],
  ['version 2^32', { ...valid, version: 4294967296 }],
  ['an empty type', { ...valid, type: '' }],
  ['a type of 101 characters', { ...valid, type: 't'.repeat(101) }],
  ['metadata as an array', { ...valid, metadata: [] }],
  ['metadata null', { ...valid, metadata: null }],
  ['metadata as text', { ...valid, metadata: '{}' }],
  ['occurredAt with an offset', { ...valid, occurredAt: '2026-01-02T03:04:05.678+01:00' }],
  ['occurredAt without seconds', { ...valid, occurredAt: '2026-01-02T03:04Z' }],
  ['occurredAt on 30 February', { ...valid, occurredAt: '2026-02-30T03:04:05Z' }],
  ['occurredAt on 29 February of a leap year', { ...valid, occurredAt: '2028-02-29T03:04:05Z' }],
  ['occurredAt with nine decimals', { ...valid, occurredAt: '2026-01-02T03:04:05.123456789Z' }],
  ['occurredAt of 31 characters', { ...valid, occurredAt: '2026-01-02T03:04:05.1234567890Z' }],
  ['occurredAt as a number', { ...valid, occurredAt: 1767323045678 }],
  ['position 0', { ...valid, position: 0 }],
  ['position -1', { ...valid, position: -1 }],
  ['position beyond a safe integer', { ...valid, position: 2 ** 53 }],
];

describe('the written-out envelope check', () => {
  it.each(variants)('decides %s as the envelope schema does', (_, value) => {
    const decoded = decodeEnvelope(JSON.stringify(value));
    const bySchema = envelopeSchema.safeParse(value);
    expect(decoded.ok).toBe(bySchema.success);
    if (decoded.ok && bySchema.success) expect(decoded.envelope).toEqual(bySchema.data);
    if (!decoded.ok) expect(decoded.code).toBe('INVALID_ENVELOPE');
  });

  it('names the problem of a refused envelope as the schema does', () => {
    const decoded = decodeEnvelope(JSON.stringify({ ...valid, version: 0 }));
    expect(decoded).toEqual({
      ok: false,
      code: 'INVALID_ENVELOPE',
      reason: expect.stringContaining('version:') as unknown,
    });
  });
});
