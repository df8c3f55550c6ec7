/** The command function with Kafka out of reach (its events wait in the outbox), and one relay pass to publish them. */
import { createCommandHandler } from '../../functions/command/handler.js';
import type { Registry } from '../../lib/aggregate/registry.js';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { commandDeps } from '../../lib/commands/deps.js';
import type { Pool } from '../../lib/db/pool.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { relayOnce } from '../../lib/outbox/relay.js';
import { databases, kafkaConfig } from './env.js';

export function commandWithBrokerDown(registry: Registry) {
  const real = commandDeps(registry);
  const deadBus = new KafkaEventBus({ ...kafkaConfig, brokers: ['127.0.0.1:1'] });
  const handler = httpFunction(
    createCommandHandler(registry, () => ({ ...real, bus: deadBus, publishTimeoutMs: 1000 })),
    { maxBodyBytes: real.maxBodyBytes, statuses: registry.statuses },
  );
  return { handler, close: () => deadBus.close() };
}

/** One pass of the outbox relay, with no minimum age, on the test's topic. */
export async function relayPass(relayPool: Pool): Promise<void> {
  const bus = new KafkaEventBus(kafkaConfig);
  try {
    await relayOnce(relayPool, bus, {
      lockName: `cqrs_outbox_relay_${databases.commands}`,
      batchSize: 500,
      minAgeMs: 0,
    });
  } finally {
    await bus.close();
  }
}
