import type { Registry } from '../aggregate/registry.js';
import { KafkaEventBus } from '../bus/kafka.js';
import type { EventBus } from '../bus/types.js';
import { config } from '../config.js';
import { pool } from '../db/pool.js';
import { MariaDbEventStore } from '../eventstore/mariadb.js';
import type { EventStore } from '../eventstore/types.js';
import { writeModelsOf } from '../eventstore/write-models.js';
import { MariaDbOutbox } from '../outbox/mariadb.js';
import type { OutboxPort } from '../outbox/publish-after-commit.js';

/** What the command function needs; tests pass in-memory twins instead. */
export interface CommandDeps {
  store: EventStore;
  bus: EventBus;
  outbox: OutboxPort;
  maxConflictRetries: number;
  maxBodyBytes: number;
  publishTimeoutMs: number;
  now: () => Date;
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
    deps = {
      store: new MariaDbEventStore(db, writeModelsOf(registry), { idempotencyTtlMs }),
      bus,
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
