/**
 * Command-function containers in this process: each its own handler instance and connection pool,
 * as Lambda runs concurrent invocations. The Kafka address can be made unreachable, so every
 * command's immediate publish fails and its events are left to the outbox relay.
 */
import { KafkaEventBus } from '../../../lib/bus/kafka.js';
import type { CommandDeps } from '../../../lib/commands/deps.js';
import { appendSideEffects } from '../../../lib/personal-data/write-side.js';
import { keyringOn } from '../../support/keyring.js';
import { readCommandConfig, readDbConfig, readKafkaConfig } from '../../../lib/config.js';
import { createPool, type Pool } from '../../../lib/db/pool.js';
import { MariaDbEventStore } from '../../../lib/eventstore/mariadb.js';
import { httpFunction } from '../../../lib/http/middleware.js';
import { MariaDbOutbox } from '../../../lib/outbox/mariadb.js';
import { createCommandHandler } from '../../../functions/command/handler.js';
import { registry } from '../../../aggregates/index.js';
import { writeModelsOf } from '../../../lib/eventstore/write-models.js';
import { CommandClient, inProcessTransport } from './client.js';

/** A port nothing listens on: a broker that cannot be reached. */
export const UNREACHABLE_BROKER = '127.0.0.1:29199';

export class Containers {
  private readonly pools: Pool[] = [];
  private readonly bus: KafkaEventBus;

  constructor(options: { brokerReachable: boolean }) {
    const kafka = readKafkaConfig(process.env);
    this.bus = new KafkaEventBus(
      options.brokerReachable ? kafka : { ...kafka, brokers: [UNREACHABLE_BROKER] },
    );
  }

  /**
   * A client of a new container with a single-connection pool. With `holdOpen`, each append's
   * transaction, its rows written, waits for that promise before it commits: a slow command.
   */
  client(options: { holdOpen?: Promise<void> } = {}): CommandClient {
    const db = createPool({ ...readDbConfig(process.env, 'command'), connectionLimit: 1 });
    this.pools.push(db);
    const { maxConflictRetries, maxBodyBytes, idempotencyTtlMs } = readCommandConfig(process.env);
    const keyring = keyringOn(db);
    const sideEffects = appendSideEffects(registry, writeModelsOf(registry), keyring);
    const deps: CommandDeps = {
      store: new MariaDbEventStore(db, sideEffects, {
        idempotencyTtlMs,
        beforeCommit: options.holdOpen && (() => options.holdOpen!),
      }),
      keyring,
      bus: this.bus,
      outbox: new MariaDbOutbox(db),
      maxConflictRetries,
      maxBodyBytes,
      publishTimeoutMs: readKafkaConfig(process.env).publishTimeoutMs,
      now: () => new Date(),
    };
    const handler = httpFunction(
      createCommandHandler(registry, () => deps),
      { maxBodyBytes, statuses: registry.statuses },
    );
    return new CommandClient(inProcessTransport(handler));
  }

  async close(): Promise<void> {
    await this.bus.close();
    await Promise.all(this.pools.map((p) => p.end()));
  }
}

/** Every client's ledger as one. */
export function mergedLedger(clients: CommandClient[]) {
  const statuses = new Map<number, number>();
  for (const c of clients) for (const [s, n] of c.statuses) statuses.set(s, (statuses.get(s) ?? 0) + n);
  return {
    commands: clients.reduce((n, c) => n + c.commands, 0),
    acks: clients.flatMap((c) => c.acks),
    streams: new Set(clients.flatMap((c) => [...c.streams])),
    statuses,
  };
}
