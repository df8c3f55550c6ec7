// @ts-check
/**
 * One Kafka event source mapping, emulated: consumes a topic with the mapping's consumer group
 * and invokes the function with batches in the Lambda event shape. Like Lambda it commits a
 * batch's offsets only after the function succeeded or the batch was discarded under the
 * mapping's failure policy (delivery.js), and runs at most one invocation per partition at a time.
 */
import path from 'node:path';
import { retryDelayMs, deliver } from './delivery.js';
import { OnFailureDestination } from './destination.js';
import { buildKafkaEvent } from './kafka-event.js';
import { describeRecords, errorMessage } from './on-failure.js';

/** @typedef {import('./config.js').SourceDefinition} SourceDefinition */
/** @typedef {import('./kafka-event.js').ConsumedRecord} ConsumedRecord */
/** @typedef {import('./client.js').KafkaClient} KafkaClient */
/** @typedef {import('./client.js').KafkaConsumer} Consumer */
/** @typedef {import('./client.js').BatchContext} BatchContext */

/**
 * @typedef {object} Logger
 * @property {(msg: string) => void} notice
 * @property {(msg: string) => void} warning
 * @property {(msg: string) => void} error
 */

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

export { retryDelayMs };

export class KafkaEventSource {
  /** @type {Consumer | undefined} */
  #consumer;
  #stopped = false;
  /** @type {Promise<void> | undefined} */
  #running;
  /** @type {OnFailureDestination} */
  #destination;

  /**
   * @param {object} params
   * @param {SourceDefinition} params.source
   * @param {KafkaClient} params.kafka  a client of the broker (client.js)
   * @param {string} params.bootstrapServers
   * @param {(functionKey: string, event: unknown) => Promise<unknown>} params.invoke
   * @param {Logger} params.log
   * @param {number} [params.sessionTimeoutMs] the consumer group session timeout (kafkajs's default)
   * @param {string} [params.onFailureDir] where invocation records for SQS, SNS and S3 destinations go
   */
  constructor({
    source,
    kafka,
    bootstrapServers,
    invoke,
    log,
    sessionTimeoutMs = 30000,
    onFailureDir = path.resolve('.local', 'offline-kafka', 'on-failure'),
  }) {
    this.source = source;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.kafka = kafka;
    this.bootstrapServers = bootstrapServers;
    this.invoke = invoke;
    this.log = log;
    this.onFailureFile = path.join(onFailureDir, `${source.functionKey}.jsonl`);
    this.#destination = new OnFailureDestination({
      destination: source.policy.destination,
      context: {
        eventSource: source.eventSource,
        eventSourceArn: source.eventSourceArn,
        bootstrapServers,
        functionArn:
          source.functionArn ?? `arn:aws:lambda:us-east-1:000000000000:function:${source.functionKey}`,
      },
      kafka,
      file: this.onFailureFile,
      label: this.label,
      log,
    });
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
   * @param {import('./client.js').ConsumerCrash} crash
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
      maxWaitTimeInMs: Math.max(window, 100),
      minBytes: window > 0 ? 1024 * 1024 : 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.#consumer = consumer;
    consumer.onCrash((crash) => this.#onCrash(consumer, crash));
    await consumer.connect();
    await consumer.subscribe({ topic: source.topic, fromBeginning: source.fromBeginning });
    // Offsets are committed only by commitOffsets below, never on their own.
    await consumer.run({
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    this.log.notice(`offline-kafka: ${this.label}: consuming`);
  }

  /** @param {BatchContext} context */
  async #eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }) {
    const { source } = this;
    const active = () => !this.#stopped && isRunning() && !isStale();
    const info = {
      eventSource: source.eventSource,
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: this.bootstrapServers,
    };
    for (let start = 0; start < batch.messages.length; start += source.batchSize) {
      /** @type {ConsumedRecord[]} */
      const records = batch.messages.slice(start, start + source.batchSize).map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        value: m.value,
        headers: m.headers,
      }));
      const delivered = await deliver(records, {
        policy: source.policy,
        active,
        invoke: (part) =>
          this.#keepingSession(heartbeat, () => this.invoke(source.functionKey, buildKafkaEvent(info, part))),
        discard: (discard) => this.#keepingSession(heartbeat, () => this.#destination.send(discard)),
        resolved: async (part) => {
          const last = /** @type {ConsumedRecord} */ (part[part.length - 1]).offset;
          resolveOffset(last);
          await this.#consumer?.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
          await heartbeat();
        },
        wait: (ms) => this.#pause(ms, heartbeat, active),
        onRetry: ({ records: part, retry, delayMs, error }) =>
          this.log.warning(
            `offline-kafka: ${this.label}: batch from ${describeRecords(part)} failed (${errorMessage(error)}); ` +
              `retry ${retry} in ${delayMs / 1000}s`,
          ),
        onSplit: ({ records: part, error }) =>
          this.log.warning(
            `offline-kafka: ${this.label}: batch from ${describeRecords(part)} failed (${errorMessage(error)}); ` +
              'retrying it in two halves (BisectBatchOnFunctionError)',
          ),
      });
      if (!delivered) return;
    }
  }

  /**
   * Runs `work` (an invocation, or a discard to a destination) and heartbeats while it runs:
   * kafkajs heartbeats only between batches, so a batch that takes longer than the session
   * timeout (a slow handler, a row lock) would get the consumer expired from its group and its
   * offsets refused, though Lambda's own poller lets a batch run for as long as the function's
   * timeout.
   *
   * @template T
   * @param {() => Promise<void>} heartbeat
   * @param {() => Promise<T>} work
   */
  async #keepingSession(heartbeat, work) {
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    try {
      return await work();
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * The backoff before a retry, heartbeating as it goes (a backoff of 10 s outlasts a short
   * session) and ending early when the consumer stops or loses the partition.
   * @param {number} ms
   * @param {() => Promise<void>} heartbeat
   * @param {() => boolean} active
   */
  async #pause(ms, heartbeat, active) {
    const until = Date.now() + ms;
    while (active() && Date.now() < until) {
      await sleep(Math.min(1000, until - Date.now()));
      await heartbeat().catch(() => undefined);
    }
  }

  async stop() {
    this.#stopped = true;
    await this.#consumer?.disconnect().catch(() => undefined);
    await this.#destination.stop();
  }
}
