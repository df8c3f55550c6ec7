/** Throwaway topics, groups and event sources for the tests of the offline Kafka event source. */
import { randomUUID } from 'node:crypto';
import type { SourceDefinition } from '../../plugins/serverless-offline-kafka/config.js';
import { failurePolicy } from '../../plugins/serverless-offline-kafka/policy.js';
import { createAdmin, createProducer } from '../../lib/kafka/client.js';
import type { OutgoingRecord } from '../../lib/kafka/ports.js';
import { kafkaConfig } from './env.js';
import { createTopic } from './topics.js';

/** An event source definition on `topic` with a group of its own and AWS's default failure policy. */
export function source(topic: string, overrides: Partial<SourceDefinition> = {}): SourceDefinition {
  return {
    functionKey: 'projection',
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/test/x',
    topic,
    groupId: `test-${randomUUID()}`,
    batchSize: 2,
    batchingWindowMs: 0,
    fromBeginning: true,
    enabled: true,
    policy: failurePolicy({}),
    ...overrides,
  };
}

export async function produce(topic: string, messages: OutgoingRecord[]): Promise<void> {
  const producer = await createProducer(kafkaConfig, { quiet: true });
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** A new one-partition topic holding `messages` records: key k<i>, value v<i>, header n=<i>. */
export async function topicWith(messages: number): Promise<string> {
  const topic = await createTopic('plugin', 1);
  await produce(
    topic,
    Array.from({ length: messages }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { n: String(i) } })),
  );
  return topic;
}

/** The group's committed offset of partition 0; -1 before any commit. */
export async function committedOffset(groupId: string, topic: string): Promise<number> {
  const admin = await createAdmin(kafkaConfig, { quiet: true });
  await admin.connect();
  const committed = await admin.fetchCommittedOffsets(groupId, topic);
  await admin.disconnect();
  return Number(committed.find((p) => p.partition === 0)?.offset ?? -1);
}
