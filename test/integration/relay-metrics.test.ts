/** The relay reports the outbox's size and oldest age as CloudWatch embedded metrics, the figures an alarm watches. */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { closePools } from '../../lib/db/pool.js';
import { rolePool } from '../support/env.js';

const commandDb = rolePool('command');

afterAll(async () => {
  await commandDb.end();
  await closePools();
});

it('the relay emits OutboxPending and OutboxOldestAgeMs after draining, when its metrics are on', async () => {
  // An outbox row whose event waits longer than the relay's minimum age, with Kafka out of reach.
  const id = randomUUID();
  await commandDb.query(
    "INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata, occurred_at) VALUES (?, ?, 'user', 1, 'UserRegistered', ?, '{}', UTC_TIMESTAMP(3))",
    [randomUUID(), id, JSON.stringify({ name: 'waits', dateRegister: '2026-01-02T03:04:05.678Z' })],
  );
  await commandDb.query(
    "INSERT INTO outbox (position, stream_id, stream_type, version, created_at) VALUES (LAST_INSERT_ID(), ?, 'user', 1, UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE)",
    [id],
  );
  Object.assign(process.env, { RELAY_METRICS: 'on', KAFKA_BROKERS: '127.0.0.1:1', RELAY_BUDGET_MS: '200' });
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const { handler } = await import('../../functions/relay/handler.js');
    await handler();
  } finally {
    spy.mockRestore();
  }
  const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l.trim()));
  expect(emf).toHaveLength(1);
  expect(emf[0].OutboxPending).toBeGreaterThanOrEqual(1);
  expect(emf[0].OutboxOldestAgeMs).toBeGreaterThanOrEqual(60000);
  await commandDb.query('DELETE FROM outbox WHERE stream_id = ?', [id]);
}, 60000);
