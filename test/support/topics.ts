/** Throwaway topics for tests that need their own, deleted again afterwards. */
import { randomUUID } from 'node:crypto';
import { createAdmin } from '../../lib/kafka/client.js';
import { kafkaConfig } from './env.js';

const created: string[] = [];

export async function createTopic(prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${randomUUID()}`;
  const admin = await createAdmin(kafkaConfig, { quiet: true });
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
  created.push(topic);
  return topic;
}

/** Deletes every topic createTopic made in this test file. */
export async function deleteCreatedTopics(): Promise<void> {
  if (!created.length) return;
  const admin = await createAdmin(kafkaConfig, { quiet: true });
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: created.splice(0) });
  } finally {
    await admin.disconnect();
  }
}
