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
   * @param {number} [params.sessionTimeoutMs] the consumer group session timeout (kafkajs's default)
   */
  constructor({ source, kafka, bootstrapServers, invoke, log, sessionTimeoutMs = 30000 }) {
    this.source = source;
    this.sessionTimeoutMs = sessionTimeoutMs;
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

  /** @param {number} [failures] attempts that already failed (a consumer that stopped for good counts as one) */
  async #connectLoop(failures = 0) {
    let attempt = failures;
    if (attempt > 0) await sleep(retryDelayMs(attempt));
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

  /**
   * kafkajs restarts a crashed consumer itself only when the error is retriable; after any other
   * error the consumer stays disconnected and the partition would stall until `sls offline`
   * restarts. The event source starts a new consumer instead, as Lambda's poller would.
   *
   * @param {Consumer} consumer
   * @param {{ error: Error, restart: boolean }} crash
   */
  #onCrash(consumer, { error, restart }) {
    if (restart) {
      this.log.warning(
        `offline-kafka: ${this.label}: consumer crashed (${error.message}); kafkajs restarts it`,
      );
      return;
    }
    if (this.#stopped || this.#consumer !== consumer) return;
    this.log.warning(
      `offline-kafka: ${this.label}: consumer stopped on an error it does not retry (${error.message}); ` +
        'starting a new one',
    );
    this.#consumer = undefined;
    void consumer.disconnect().catch(() => undefined);
    this.#running = this.#connectLoop(1);
  }

  async #run() {
    const { source } = this;
    const window = source.batchingWindowMs;
    const consumer = this.kafka.consumer({
      groupId: source.groupId,
      sessionTimeout: this.sessionTimeoutMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.max(window, 100),
      minBytes: window > 0 ? 1024 * 1024 : 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => this.#onCrash(consumer, payload));
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
        await this.#invokeKeepingSession(event, heartbeat);
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

  /**
   * Invokes the function and heartbeats while it runs: kafkajs heartbeats only between batches,
   * so a batch that takes longer than the session timeout (a slow handler, a row lock) would get
   * the consumer expired from its group and its offsets refused, though Lambda's own poller lets
   * a batch run for as long as the function's timeout.
   *
   * @param {unknown} event
   * @param {() => Promise<void>} heartbeat
   */
  async #invokeKeepingSession(event, heartbeat) {
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    try {
      await this.invoke(this.source.functionKey, event);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async stop() {
    this.#stopped = true;
    await this.#consumer?.disconnect().catch(() => undefined);
  }
}
