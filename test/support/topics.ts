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
    await admin.createTopics([{ topic, partitions, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
  created.push(topic);
  return topic;
}

/** Deletes these topics (those that exist). */
export async function deleteTopics(topics: string[]): Promise<void> {
  if (!topics.length) return;
  const admin = await createAdmin(kafkaConfig, { quiet: true });
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length) await admin.deleteTopics(doomed);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic createTopic made in this test file. */
export function deleteCreatedTopics(): Promise<void> {
  return deleteTopics(created.splice(0));
}
