/**
 * The only module that knows the Kafka client library. Everything else asks it for a
 * producer, a consumer or an admin, so the library can be swapped in one place.
 */
import { Kafka, logLevel, type Admin, type Consumer, type ConsumerConfig, type Producer } from 'kafkajs';
import type { KafkaConfig } from '../config.js';
import { resolveBrokers } from './brokers.js';

export type { Admin, Consumer, Producer };

export interface KafkaClientOptions {
  /** kafkajs logs connection errors loudly; quiet is right for probes and tests. */
  quiet?: boolean;
}

/** Builds a kafkajs client for the configured brokers (a plain list, or MSK discovery with IAM auth). */
export async function createKafka(cfg: KafkaConfig, options: KafkaClientOptions = {}): Promise<Kafka> {
  const { brokers, sasl, ssl } = await resolveBrokers(cfg);
  return new Kafka({
    clientId: cfg.clientId,
    brokers,
    ssl,
    sasl,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
  });
}

/** An idempotent producer (acks=all is implied); kafkajs wants one request in flight for it. */
export async function createProducer(cfg: KafkaConfig, options: KafkaClientOptions = {}): Promise<Producer> {
  const kafka = await createKafka(cfg, options);
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

export async function createConsumer(
  cfg: KafkaConfig,
  consumer: ConsumerConfig,
  options: KafkaClientOptions = {},
): Promise<Consumer> {
  const kafka = await createKafka(cfg, options);
  return kafka.consumer({ allowAutoTopicCreation: false, ...consumer });
}

export async function createAdmin(cfg: KafkaConfig, options: KafkaClientOptions = {}): Promise<Admin> {
  const kafka = await createKafka(cfg, options);
  return kafka.admin();
}
