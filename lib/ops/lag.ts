import type { KafkaAdmin } from '../kafka/ports.js';

export interface PartitionLag {
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

export interface ConsumerLag {
  group: string;
  topic: string;
  total: number;
  partitions: PartitionLag[];
}

/**
 * How far a consumer group is behind the end of a topic, per partition: end offset minus the
 * committed offset (a partition the group never committed counts from the earliest offset).
 */
export async function consumerLag(admin: KafkaAdmin, group: string, topic: string): Promise<ConsumerLag> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchCommittedOffsets(group, topic),
  ]);
  const partitions = ends
    .map((end) => {
      const at = Number(committed.find((p) => p.partition === end.partition)?.offset ?? -1);
      const start = at >= 0 ? at : Number(end.low);
      const high = Number(end.high);
      return { partition: end.partition, committed: at, end: high, lag: Math.max(0, high - start) };
    })
    .sort((a, b) => a.partition - b.partition);
  return { group, topic, total: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}
