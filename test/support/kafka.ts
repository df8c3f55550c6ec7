/** Reading what reached the topic, for tests: every message of some streams, from the beginning. */
import { randomUUID } from 'node:crypto';
import { decodeEnvelope, type Envelope } from '../../lib/bus/envelope.js';
import { createConsumer } from '../../lib/kafka/client.js';
import { kafkaConfig } from './env.js';

/**
 * Consumes the topic from the beginning with a fresh group until `expected` messages of the
 * given streams arrived and `settleMs` passed without more (so duplicates would show), or the timeout.
 */
export async function collectEnvelopes(
  streamIds: Iterable<string>,
  expected: number,
  { timeoutMs = 20000, settleMs = 1500 } = {},
): Promise<Envelope[]> {
  const wanted = new Set(streamIds);
  const seen: Envelope[] = [];
  const consumer = await createConsumer(kafkaConfig, { groupId: `test-${randomUUID()}` }, { quiet: true });
  await consumer.connect();
  await consumer.subscribe({ topic: kafkaConfig.topic, fromBeginning: true });
  let lastAt = Date.now();
  await consumer.run({
    eachMessage: async (message) => {
      const key = message.key?.toString();
      if (!key || !wanted.has(key)) return;
      const decoded = decodeEnvelope(message.value);
      if (decoded.ok) {
        seen.push(decoded.envelope);
        lastAt = Date.now();
      }
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(seen.length >= expected && Date.now() - lastAt >= settleMs)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await consumer.disconnect();
  return seen;
}
