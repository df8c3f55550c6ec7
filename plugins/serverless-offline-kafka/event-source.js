// @ts-check
/**
 * One Kafka event source mapping, emulated: consumes a topic with the mapping's consumer group
 * and invokes the function with batches in the Lambda event shape. Like Lambda it commits a
 * batch's offsets only after the function succeeded, retries a failed batch (with backoff)
 * before moving on, and runs at most one invocation per partition at a time.
 */
import { buildKafkaEvent } from './kafka-event.js';

/** @typedef {import('./config.js').SourceDefinition} SourceDefinition */
/** @typedef {import('kafkajs').Kafka} Kafka */
/** @typedef {import('kafkajs').Consumer} Consumer */
/** @typedef {import('kafkajs').EachBatchPayload} EachBatchPayload */

/**
 * @typedef {object} Logger
 * @property {(msg: string) => void} notice
 * @property {(msg: string) => void} warning
 * @property {(msg: string) => void} error
 */

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff before retry `attempt` (1-based): 0.5 s doubling up to 10 s. */
export const retryDelayMs = (/** @type {number} */ attempt) => Math.min(10000, 500 * 2 ** (attempt - 1));

export class KafkaEventSource {
  /** @type {Consumer | undefined} */
  #consumer;
  #stopped = false;
  /** @type {Promise<void> | undefined} */
  #running;

  /**
   * @param {object} params
   * @param {SourceDefinition} params.source
   * @param {Kafka} params.kafka
   * @param {string} params.bootstrapServers
   * @param {(functionKey: string, event: unknown) => Promise<unknown>} params.invoke
   * @param {Logger} params.log
   */
  constructor({ source, kafka, bootstrapServers, invoke, log }) {
    this.source = source;
    this.kafka = kafka;
    this.bootstrapServers = bootstrapServers;
    this.invoke = invoke;
    this.log = log;
  }

  get label() {
    return `${this.source.functionKey} ← ${this.source.topic} (group ${this.source.groupId})`;
  }

  /** Starts consuming in the background; never waits for the broker. */
  start() {
    this.#running = this.#connectLoop();
    return this.#running;
  }

  async #connectLoop() {
    let attempt = 0;
    while (!this.#stopped) {
      try {
        await this.#run();
        if (attempt > 0) this.log.notice(`offline-kafka: ${this.label}: connected`);
        return;
      } catch (error) {
        attempt++;
        await this.#consumer?.disconnect().catch(() => undefined);
        this.#consumer = undefined;
        if (this.#stopped) return;
        const delay = retryDelayMs(Math.min(attempt, 5));
        this.log.warning(
          `offline-kafka: ${this.label}: broker not reachable at ${this.bootstrapServers} ` +
            `(${/** @type {Error} */ (error).message}); retrying in ${delay / 1000}s`,
        );
        await sleep(delay);
      }
    }
  }

  async #run() {
    const { source } = this;
    const window = source.batchingWindowMs;
    const consumer = this.kafka.consumer({
      groupId: source.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.max(window, 100),
      minBytes: window > 0 ? 1024 * 1024 : 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.warning(
        `offline-kafka: ${this.label}: consumer crashed (${payload.error.message}); restarting`,
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topic: source.topic, fromBeginning: source.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.log.notice(`offline-kafka: ${this.label}: consuming`);
  }

  /** @param {EachBatchPayload} payload */
  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }) {
    const { source } = this;
    for (let start = 0; start < batch.messages.length; start += source.batchSize) {
      const slice = batch.messages.slice(start, start + source.batchSize);
      const records = slice.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        value: m.value,
        headers: m.headers,
      }));
      const event = buildKafkaEvent(
        {
          eventSource: source.eventSource,
          eventSourceArn: source.eventSourceArn,
          bootstrapServers: this.bootstrapServers,
        },
        records,
      );
      const delivered = await this.#invokeWithRetry(
        event,
        `${batch.topic}-${batch.partition}`,
        isRunning,
        isStale,
        heartbeat,
      );
      if (!delivered) return;
      const last = /** @type {string} */ (slice[slice.length - 1]?.offset);
      resolveOffset(last);
      await this.#consumer?.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
      await heartbeat();
    }
  }

  /**
   * @param {unknown} event
   * @param {string} where
   * @param {() => boolean} isRunning
   * @param {() => boolean} isStale
   * @param {() => Promise<void>} heartbeat
   * @returns {Promise<boolean>} false when the consumer stops or loses the partition first
   */
  async #invokeWithRetry(event, where, isRunning, isStale, heartbeat) {
    const max = this.source.maximumRetryAttempts;
    for (let attempt = 0; ; attempt++) {
      if (this.#stopped || !isRunning() || isStale()) return false;
      try {
        await this.invoke(this.source.functionKey, event);
        return true;
      } catch (error) {
        const message = /** @type {Error} */ (error)?.message ?? String(error);
        if (max >= 0 && attempt >= max) {
          this.log.error(
            `offline-kafka: ${this.label}: batch from ${where} failed ${attempt + 1} times (${message}); ` +
              'discarding it after maximumRetryAttempts, as Lambda does',
          );
          return true;
        }
        const delay = retryDelayMs(attempt + 1);
        this.log.warning(
          `offline-kafka: ${this.label}: batch from ${where} failed (${message}); retry ${attempt + 1} in ${delay / 1000}s`,
        );
        await sleep(delay);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  async stop() {
    this.#stopped = true;
    await this.#consumer?.disconnect().catch(() => undefined);
  }
}
