// @ts-check
/**
 * The plugin's only use of the Kafka client library (kafkajs): a client for the local broker
 * whose consumers and producers have just the operations the event source and its on-failure
 * destination use. Neither ever creates a topic: Lambda reads and writes only topics that exist.
 */
import { Kafka, logLevel } from 'kafkajs';

/**
 * A record of a consumed batch. Offsets and timestamps (milliseconds since the epoch) are text.
 * @typedef {object} BatchMessage
 * @property {string} offset
 * @property {string} timestamp
 * @property {Buffer | null} key
 * @property {Buffer | null} value
 * @property {Record<string, Buffer | string | (Buffer | string)[] | undefined>} [headers]
 */

/**
 * One partition's records, in offset order.
 * @typedef {object} IncomingBatch
 * @property {string} topic
 * @property {number} partition
 * @property {BatchMessage[]} messages
 */

/**
 * What a batch handler gets: the batch, and the consumer's controls for it.
 * @typedef {object} BatchContext
 * @property {IncomingBatch} batch
 * @property {(offset: string) => void} resolveOffset  marks the batch processed up to this offset
 * @property {() => Promise<void>} heartbeat  keeps the consumer in its group
 * @property {() => boolean} isRunning  false once the consumer stops
 * @property {() => boolean} isStale  true once the partition was taken away (a rebalance, a seek)
 */

/**
 * @typedef {object} ConsumerOptions
 * @property {string} groupId
 * @property {number} sessionTimeout  ms
 * @property {number} maxWaitTimeInMs  how long a fetch waits for minBytes
 * @property {number} minBytes
 * @property {{ retries: number, initialRetryTime: number, maxRetryTime: number }} retry
 */

/**
 * A crash of a running consumer: `restart` says whether the consumer restarts itself.
 * @typedef {object} ConsumerCrash
 * @property {Error} error
 * @property {boolean} restart
 */

/**
 * A consumer that commits only what it is given: nothing is committed or resolved on its own.
 * @typedef {object} KafkaConsumer
 * @property {() => Promise<void>} connect
 * @property {(subscription: { topic: string, fromBeginning: boolean }) => Promise<void>} subscribe
 * @property {(options: { partitionsConsumedConcurrently: number, eachBatch: (context: BatchContext) => Promise<void> }) => Promise<void>} run
 * @property {(offsets: Array<{ topic: string, partition: number, offset: string }>) => Promise<void>} commitOffsets
 * @property {(listener: (crash: ConsumerCrash) => void) => void} onCrash
 * @property {() => Promise<void>} disconnect
 */

/**
 * @typedef {object} OutgoingMessage
 * @property {Buffer | string | null} [key]
 * @property {Buffer | string | null} value
 * @property {Record<string, string>} [headers]
 */

/**
 * A producer whose sends resolve once every in-sync replica has the records (acks=all).
 * @typedef {object} KafkaProducer
 * @property {() => Promise<void>} connect
 * @property {(batch: { topic: string, messages: OutgoingMessage[] }) => Promise<void>} send
 * @property {() => Promise<void>} disconnect
 */

/**
 * @typedef {object} KafkaClient
 * @property {(options: ConsumerOptions) => KafkaConsumer} consumer
 * @property {() => KafkaProducer} producer
 * @property {(topic: string) => Promise<number | undefined>} partitionCount  undefined when the
 *   broker does not answer at once or the topic does not exist (asked once, never retried)
 */

/**
 * @param {object} params
 * @param {string[]} params.brokers  host:port list
 * @param {string} params.clientId
 * @param {number} [params.retries]  how often a failed request or connection is retried
 * @returns {KafkaClient}
 */
export function kafkaClient({ brokers, clientId, retries = 5 }) {
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 300, maxRetryTime: 5000 },
  });
  return {
    consumer: (options) => consumerPort(kafka.consumer({ ...options, allowAutoTopicCreation: false })),
    producer: () => producerPort(kafka.producer({ allowAutoTopicCreation: false })),
    partitionCount: (topic) => partitionCount(kafka, topic),
  };
}

/**
 * @param {import('kafkajs').Kafka} kafka
 * @param {string} topic
 */
async function partitionCount(kafka, topic) {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * @param {import('kafkajs').Consumer} consumer
 * @returns {KafkaConsumer}
 */
function consumerPort(consumer) {
  return {
    connect: () => consumer.connect(),
    subscribe: ({ topic, fromBeginning }) => consumer.subscribe({ topic, fromBeginning }),
    run: ({ partitionsConsumedConcurrently, eachBatch }) =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
          eachBatch({
            batch: { topic: batch.topic, partition: batch.partition, messages: batch.messages },
            resolveOffset,
            heartbeat,
            isRunning,
            isStale,
          }),
      }),
    commitOffsets: (offsets) => consumer.commitOffsets(offsets),
    onCrash: (listener) => {
      consumer.on(consumer.events.CRASH, ({ payload }) =>
        listener({ error: payload.error, restart: payload.restart }),
      );
    },
    disconnect: () => consumer.disconnect(),
  };
}

/**
 * @param {import('kafkajs').Producer} producer
 * @returns {KafkaProducer}
 */
function producerPort(producer) {
  return {
    connect: () => producer.connect(),
    send: async ({ topic, messages }) => void (await producer.send({ topic, acks: -1, messages })),
    disconnect: () => producer.disconnect(),
  };
}
