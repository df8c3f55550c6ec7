import type { Registry } from '../aggregate/registry.js';
import { KafkaEventBus } from '../bus/kafka.js';
import type { EventBus } from '../bus/types.js';
import { config } from '../config.js';
import { pool, type Pool } from '../db/pool.js';
import { MariaDbEventStore, type EventStoreOptions } from '../eventstore/mariadb.js';
import type { EventStore } from '../eventstore/types.js';
import { writeModelsOf } from '../eventstore/write-models.js';
import { MariaDbOutbox } from '../outbox/mariadb.js';
import type { OutboxPort } from '../outbox/publish-after-commit.js';
import { keyringFor } from '../personal-data/keyring-for.js';
import type { Keyring } from '../personal-data/keyring.js';
import { appendSideEffects } from '../personal-data/write-side.js';

/** What the command function needs; tests pass in-memory twins instead. */
export interface CommandDeps {
  store: EventStore;
  bus: EventBus;
  outbox: OutboxPort;
  /** The streams' data keys: events are sealed with them before the store sees them. */
  keyring: Keyring;
  maxConflictRetries: number;
  maxBodyBytes: number;
  publishTimeoutMs: number;
  now: () => Date;
}

/**
 * The event store as the command function writes it: each append also runs the aggregates'
 * write models (on the opened events) and, for an erasure event, deletes the stream's key, in
 * the append's transaction.
 */
export function commandEventStore(
  db: Pool,
  registry: Registry,
  keyring: Keyring,
  options?: EventStoreOptions,
): MariaDbEventStore {
  return new MariaDbEventStore(db, appendSideEffects(registry, writeModelsOf(registry), keyring), options);
}

let deps: CommandDeps | undefined;
let bus: KafkaEventBus | undefined;

/** The real adapters, built once per container from the environment; the registry's write models run with each append. */
export function commandDeps(registry: Registry): CommandDeps {
  if (!deps) {
    const db = pool('command');
    const kafka = config.kafka();
    const { maxConflictRetries, maxBodyBytes, idempotencyTtlMs } = config.command();
    bus = new KafkaEventBus(kafka);
    const keyring = keyringFor('command');
    deps = {
      store: commandEventStore(db, registry, keyring, { idempotencyTtlMs }),
      bus,
      keyring,
      outbox: new MariaDbOutbox(db),
      maxConflictRetries,
      maxBodyBytes,
      publishTimeoutMs: kafka.publishTimeoutMs,
      now: () => new Date(),
    };
  }
  return deps;
}

/** Disconnects the producer (the pools close with closePools); for tests and shutdown. */
export async function closeCommandDeps(): Promise<void> {
  await bus?.close();
  bus = undefined;
  deps = undefined;
}
