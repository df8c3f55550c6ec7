// @ts-check
/**
 * Sends discarded records where the mapping's on-failure destination says: a `kafka://` topic on
 * the local broker, or, for SQS, SNS and S3, which do not exist locally, a JSON line per
 * invocation record in a file. A destination that fails never holds up the partition: what could
 * not be produced goes to the file instead, and the offsets move on as Lambda's would.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describeRecords, errorMessage, invocationRecord, kafkaFailureMessages } from './on-failure.js';

/** @typedef {import('./policy.js').Destination} Destination */
/** @typedef {import('./on-failure.js').Discard} Discard */
/** @typedef {import('./on-failure.js').FailureContext} FailureContext */
/** @typedef {import('./client.js').KafkaClient} KafkaClient */
/** @typedef {import('./client.js').KafkaProducer} Producer */
/** @typedef {import('./event-source.js').Logger} Logger */

export class OnFailureDestination {
  /** @type {Promise<Producer> | undefined} */
  #producer;

  /**
   * @param {object} params
   * @param {Destination | undefined} params.destination
   * @param {FailureContext} params.context
   * @param {KafkaClient} params.kafka
   * @param {string} params.file  the JSON-lines file for invocation records
   * @param {string} params.label  the event source, for log lines
   * @param {Logger} params.log
   */
  constructor({ destination, context, kafka, file, label, log }) {
    this.destination = destination;
    this.context = context;
    this.kafka = kafka;
    this.file = file;
    this.label = label;
    this.log = log;
  }

  /** @param {Discard} discard */
  async send(discard) {
    const what =
      `${describeRecords(discard.records)} discarded (${discard.condition}` +
      `${discard.invokeCount ? ` after ${discard.invokeCount} invocations: ${errorMessage(discard.error)}` : ''})`;
    const d = this.destination;
    if (!d) {
      this.log.error(`offline-kafka: ${this.label}: ${what}; no on-failure destination, as Lambda would`);
      return;
    }
    if (d.kind === 'kafka') {
      const messages = kafkaFailureMessages(discard, this.context);
      try {
        const producer = await this.#connectedProducer();
        await producer.send({ topic: d.topic, messages });
        this.log.warning(`offline-kafka: ${this.label}: ${what}; sent to ${d.label}`);
      } catch (error) {
        // The next discard connects anew.
        await this.stop();
        await this.#append(messages.map((m) => m.value));
        this.log.error(
          `offline-kafka: ${this.label}: ${what}; could not produce to ${d.label} ` +
            `(${errorMessage(error)}), appended the records to ${this.file} instead`,
        );
      }
      return;
    }
    const record = invocationRecord(discard, this.context, { withPayload: d.kind === 's3' });
    await this.#append([JSON.stringify(record)]);
    this.log.warning(
      `offline-kafka: ${this.label}: ${what}; ${d.label} does not exist locally, ` +
        `appended its invocation record to ${this.file}`,
    );
  }

  /** @param {string[]} lines */
  async #append(lines) {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, lines.map((line) => `${line}\n`).join(''));
    } catch (error) {
      this.log.error(`offline-kafka: ${this.label}: could not write ${this.file} (${errorMessage(error)})`);
    }
  }

  #connectedProducer() {
    this.#producer ??= (async () => {
      // Lambda writes only to a topic that exists on the cluster (the client never creates one).
      const producer = this.kafka.producer();
      await producer.connect();
      return producer;
    })();
    return this.#producer;
  }

  async stop() {
    const producer = this.#producer;
    this.#producer = undefined;
    await (await producer?.catch(() => undefined))?.disconnect().catch(() => undefined);
  }
}
