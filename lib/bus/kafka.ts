import { Coalescer } from '../coalesce.js';
import type { KafkaConfig } from '../config.js';
import type { StoredEvent } from '../eventstore/types.js';
import { createProducer } from '../kafka/client.js';
import type { KafkaProducer } from '../kafka/ports.js';
import { toMessage, type OutgoingMessage } from './envelope.js';
import type { EventBus } from './types.js';

/**
 * Publishes to the configured topic (acks=all), keyed by stream id so a stream's events share a
 * partition and keep their order. The producer connects on first use and is reused across
 * invocations; a failed connection is retried on the next publish. A retried request may write a
 * batch twice (see createProducer); the projection skips the duplicate by stream version.
 *
 * The producer has one request in flight, so concurrent publishes would queue one
 * request each; instead, those that arrive while a request is in flight go together in the
 * next one (in arrival order, so a stream's order is kept), and each resolves when the
 * request that carried it was acknowledged.
 */
export class KafkaEventBus implements EventBus {
  private producer: Promise<KafkaProducer> | undefined;
  private readonly sends = new Coalescer<OutgoingMessage>((messages) => this.send(messages));

  constructor(private readonly cfg: KafkaConfig) {}

  private connected(): Promise<KafkaProducer> {
    this.producer ??= (async () => {
      const producer = await createProducer(this.cfg, { quiet: true });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  async publish(events: StoredEvent[]): Promise<void> {
    await this.sends.submit(events.map(toMessage));
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    const producer = await this.connected();
    await producer.send({ topic: this.cfg.topic, timeout: this.cfg.publishTimeoutMs, messages });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }
}
