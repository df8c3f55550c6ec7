/**
 * The only module that knows the Kafka client library (kafkajs). Everything else asks it for a
 * producer, a consumer or an admin and gets the project's own interfaces (ports.ts), so the
 * library can be swapped in one place.
 */
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConfig } from '../config.js';
import { resolveBrokers, type SaslOptions } from './brokers.js';
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, ConsumerOptions, IncomingMessage } from './ports.js';

export interface KafkaClientOptions {
  /** kafkajs logs connection errors loudly; quiet is right for probes and tests. */
  quiet?: boolean;
}

/** kafkajs's form of the project's SASL settings. */
function kafkajsSasl(sasl: SaslOptions | undefined): SASLOptions | undefined {
  if (!sasl) return undefined;
  return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await sasl.token() }) };
}

/** Builds a kafkajs client for the configured brokers (a plain list, or MSK discovery with IAM auth). */
async function createKafka(cfg: KafkaConfig, options: KafkaClientOptions): Promise<Kafka> {
  const { brokers, sasl, ssl } = await resolveBrokers(cfg);
  return new Kafka({
    clientId: cfg.clientId,
    brokers,
    ssl,
    sasl: kafkajsSasl(sasl),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
  });
}

/**
 * A producer with one request in flight (so a connection keeps its order); it sends with
 * acks=all. Not kafkajs's idempotent producer: when a produce request fails after the broker
 * wrote it (a timeout, a dropped connection), kafkajs rolls its sequence number back, and the
 * next batch of the same size then reuses it; the broker takes that batch for a retry of the
 * first, answers success and drops it, so an event is reported published that never was. A
 * plain producer may write a retried batch twice instead, which the projection skips by version.
 */
export async function createProducer(
  cfg: KafkaConfig,
  options: KafkaClientOptions = {},
): Promise<KafkaProducer> {
  const kafka = await createKafka(cfg, options);
  return producerPort(
    kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
  );
}

/**
 * kafkajs's producer with its defaults (any number of requests in flight), still sending with
 * acks=all. Only the bench's naive dual write uses it, to measure a plain write-then-publish service.
 */
export async function createDefaultProducer(
  cfg: KafkaConfig,
  options: KafkaClientOptions = {},
): Promise<KafkaProducer> {
  const kafka = await createKafka(cfg, options);
  return producerPort(kafka.producer({ allowAutoTopicCreation: false }));
}

export async function createConsumer(
  cfg: KafkaConfig,
  consumer: ConsumerOptions,
  options: KafkaClientOptions = {},
): Promise<KafkaConsumer> {
  const kafka = await createKafka(cfg, options);
  return consumerPort(kafka.consumer({ allowAutoTopicCreation: false, groupId: consumer.groupId }));
}

export async function createAdmin(cfg: KafkaConfig, options: KafkaClientOptions = {}): Promise<KafkaAdmin> {
  const kafka = await createKafka(cfg, options);
  return adminPort(kafka.admin());
}

function producerPort(producer: Producer): KafkaProducer {
  return {
    connect: () => producer.connect(),
    send: async ({ topic, messages, timeout }) => {
      const sent = await producer.send({ topic, acks: -1, timeout, messages });
      return sent.map(({ partition, baseOffset }) => ({ partition, baseOffset }));
    },
    disconnect: () => producer.disconnect(),
  };
}

function incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  const { offset, timestamp, key, value, headers } = message;
  return { topic, partition, offset, timestamp, key, value, headers: headers ?? {} };
}

function consumerPort(consumer: Consumer): KafkaConsumer {
  return {
    connect: () => consumer.connect(),
    subscribe: ({ topic, fromBeginning }) => consumer.subscribe({ topic, fromBeginning }),
    run: ({ eachMessage }) =>
      consumer.run({
        eachMessage: ({ topic, partition, message }) => eachMessage(incoming(topic, partition, message)),
      }),
    disconnect: () => consumer.disconnect(),
  };
}

function adminPort(admin: Admin): KafkaAdmin {
  return {
    connect: () => admin.connect(),
    ping: async () => void (await admin.describeCluster()),
    listTopics: () => admin.listTopics(),
    describeTopics: async (topics) =>
      (await admin.fetchTopicMetadata({ topics })).topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions.length,
      })),
    createTopics: async (topics) =>
      void (await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
        })),
      })),
    createPartitions: async (topic, count) =>
      void (await admin.createPartitions({ topicPartitions: [{ topic, count }] })),
    deleteTopics: (topics) => admin.deleteTopics({ topics }),
    fetchTopicOffsets: async (topic) =>
      (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high })),
    fetchCommittedOffsets: async (groupId, topic) => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (committed?.partitions ?? []).map(({ partition, offset }) => ({ partition, offset }));
    },
    resetOffsetsToEarliest: (groupId, topic) => admin.resetOffsets({ groupId, topic, earliest: true }),
    describeGroups: async (groupIds) =>
      (await admin.describeGroups(groupIds)).groups.map(({ groupId, state }) => ({ groupId, state })),
    deleteGroups: async (groupIds) => void (await admin.deleteGroups(groupIds)),
    disconnect: () => admin.disconnect(),
  };
}
