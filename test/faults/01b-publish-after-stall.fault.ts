/**
 * Found by scenario 2 after scenario 1: a publish that the broker received but the client saw
 * fail (the broker stalled past the request timeout) must not make a later publish vanish. With
 * kafkajs's idempotent producer it did: the failed batch's sequence number was rolled back and
 * reused by the next batch, which the broker took for a retry, acknowledged and dropped, so the
 * command cleared its outbox row for an event that never reached the topic.
 */
import { randomUUID } from 'node:crypto';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { readKafkaConfig } from '../../lib/config.js';
import type { StoredEvent } from '../../lib/eventstore/types.js';
import { collectEnvelopes } from '../support/kafka.js';
import { report } from './support/report.js';
import { freeze, signal } from './support/stack.js';

const bus = new KafkaEventBus(readKafkaConfig(process.env));

afterAll(async () => {
  await bus.close();
});

const event = (streamId: string, version: number): StoredEvent => ({
  eventId: randomUUID(),
  streamId,
  version,
  type: version === 1 ? 'UserRegistered' : 'UserRenamed',
  data:
    version === 1
      ? { name: 'Stalled', dateRegister: new Date().toISOString() }
      : { name: `Stalled ${version}` },
  metadata: {},
  occurredAt: new Date().toISOString(),
  position: 0,
});

it('1b. after a publish failed that the broker had received, the next publish still reaches the topic', async () => {
  const stream = randomUUID();
  await bus.publish([event(stream, 1)]);
  const started = Date.now();
  await freeze('broker');
  let failed: string;
  try {
    failed = await bus.publish([event(stream, 2)]).then(
      () => 'published',
      (error: Error) => error.message,
    );
  } finally {
    signal('broker', 'SIGCONT');
  }
  const stalledMs = Date.now() - started;
  await bus.publish([event(stream, 3)]);
  const onTopic = await collectEnvelopes([stream], 3, { timeoutMs: 20000, settleMs: 3000 });
  const versions = [...new Set(onTopic.map((e) => e.version))].sort();
  report({
    scenario: '1b. publish after a failed one the broker had received',
    commands: 3,
    acknowledged: 2,
    eventsStored: 3,
    readModelRows: 0,
    lost: 3 - versions.length,
    appliedTwice: 0,
    parked: 0,
    notes: {
      'stalled publish': `${failed} after ${stalledMs} ms`,
      'messages on the topic': onTopic.length,
      'versions on the topic': versions.join(' '),
    },
  });
  expect(failed).toMatch(/timed out/);
  expect(versions).toEqual([1, 2, 3]);
});
