import type { DatabaseNames, KafkaConfig } from '../config.js';
import type { Pool } from '../db/pool.js';
import { createAdmin } from '../kafka/client.js';
import { outboxBacklog, readModelBacklog, type OutboxBacklog, type ReadModelBacklog } from './backlog.js';
import { consumerLag, type ConsumerLag } from './lag.js';

export interface Health {
  status: 'ok' | 'degraded';
  /** Why the status is degraded (empty when ok). */
  problems: string[];
  outbox: OutboxBacklog | { error: string };
  projection: ConsumerLag | { error: string };
  readModel: ReadModelBacklog | { error: string };
}

export interface HealthOptions {
  /** A parked event older than this means its gap will not fill by itself: degraded. */
  parkedMaxAgeMs: number;
}

async function attempt<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function projectionLag(kafka: KafkaConfig): Promise<ConsumerLag> {
  const admin = await createAdmin(kafka, { quiet: true });
  try {
    await admin.connect();
    return await consumerLag(admin, kafka.consumerGroup, kafka.topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Outbox backlog (events not yet on Kafka), projection lag (events on Kafka not yet applied), and
 * what the read model holds back: parked events and dead letters.
 */
export async function readHealth(
  opsPool: Pool,
  names: DatabaseNames,
  kafka: KafkaConfig,
  options: HealthOptions,
): Promise<Health> {
  const [outbox, projection, readModel] = await Promise.all([
    attempt(() => outboxBacklog(opsPool, names)),
    attempt(() => projectionLag(kafka)),
    attempt(() => readModelBacklog(opsPool, names)),
  ]);
  const problems: string[] = [];
  if ('error' in outbox) problems.push(`outbox backlog unknown: ${outbox.error}`);
  if ('error' in projection) problems.push(`projection lag unknown: ${projection.error}`);
  if ('error' in readModel) problems.push(`read model backlog unknown: ${readModel.error}`);
  else if (readModel.parked.count && readModel.parked.oldestAgeMs > options.parkedMaxAgeMs) {
    problems.push(
      `an event has been parked for ${Math.round(readModel.parked.oldestAgeMs / 1000)} s, longer than ` +
        `${Math.round(options.parkedMaxAgeMs / 1000)} s: the event before it is missing (see npm run dlq -- list)`,
    );
  }
  return { status: problems.length ? 'degraded' : 'ok', problems, outbox, projection, readModel };
}
