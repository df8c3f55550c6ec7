import type { KafkaConfig } from '../../lib/config.js';
import { createAdmin } from '../../lib/kafka/client.js';
import type { TopicInfo } from '../../lib/kafka/ports.js';
import { progress } from '../progress.js';

/** Creates the application topic up front (kafkajs cannot subscribe to a topic that does not exist). */
export async function ensureTopics(cfg: KafkaConfig): Promise<void> {
  const admin = await createAdmin(cfg, { quiet: true });
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(cfg.topic)) {
      const [meta] = await admin.describeTopics([cfg.topic]);
      const count = meta?.partitions ?? 0;
      if (count < cfg.partitions) {
        await admin.createPartitions(cfg.topic, cfg.partitions);
        progress.ok(`Topic ${cfg.topic}: partitions raised from ${count} to ${cfg.partitions}`);
      } else {
        progress.ok(`Topic ${cfg.topic} exists (${count} partitions)`);
      }
      return;
    }
    await admin.createTopics([
      { topic: cfg.topic, partitions: cfg.partitions, replicationFactor: cfg.replicationFactor },
    ]);
    progress.ok(`Topic ${cfg.topic} created (${cfg.partitions} partitions)`);
  } finally {
    await admin.disconnect();
  }
}

export type { TopicInfo };

export async function listTopics(cfg: KafkaConfig): Promise<TopicInfo[]> {
  const admin = await createAdmin(cfg, { quiet: true });
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((name) => !name.startsWith('__'));
    return await admin.describeTopics(names);
  } finally {
    await admin.disconnect();
  }
}
