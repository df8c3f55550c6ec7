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

/**
 * A producer with one request in flight (so a connection keeps its order); callers send with
 * acks=all. Not kafkajs's idempotent producer: when a produce request fails after the broker
 * wrote it (a timeout, a dropped connection), kafkajs rolls its sequence number back, and the
 * next batch of the same size then reuses it; the broker takes that batch for a retry of the
 * first, answers success and drops it, so an event is reported published that never was. A
 * plain producer may write a retried batch twice instead, which the projection skips by version.
 */
export async function createProducer(cfg: KafkaConfig, options: KafkaClientOptions = {}): Promise<Producer> {
  const kafka = await createKafka(cfg, options);
  return kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false });
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
