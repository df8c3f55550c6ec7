import type { KafkaConfig } from '../config.js';
import type { Pool } from '../db/pool.js';
import { createAdmin } from '../kafka/client.js';
import { MariaDbOutbox } from '../outbox/mariadb.js';
import { consumerLag, type ConsumerLag } from './lag.js';

export interface Health {
  status: 'ok' | 'degraded';
  outbox: { pending: number; oldestAgeMs: number } | { error: string };
  projection: ConsumerLag | { error: string };
}

async function attempt<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Outbox backlog (events not yet on Kafka) and projection lag (events on Kafka not yet applied). */
export async function readHealth(relayPool: Pool, kafka: KafkaConfig): Promise<Health> {
  const [outbox, projection] = await Promise.all([
    attempt(() => new MariaDbOutbox(relayPool).backlog()),
    attempt(async () => {
      const admin = await createAdmin(kafka, { quiet: true });
      try {
        await admin.connect();
        return await consumerLag(admin, kafka.consumerGroup, kafka.topic);
      } finally {
        await admin.disconnect();
      }
    }),
  ]);
  const status = 'error' in outbox || 'error' in projection ? 'degraded' : 'ok';
  return { status, outbox, projection };
}
