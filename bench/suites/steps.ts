/**
 * Where a command's time goes: each step of the command function run on its own, with the
 * same adapters, at a given concurrency (ops/s; at concurrency 1, 1000/rate is ms per step).
 */
import { randomUUID } from 'node:crypto';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { registry } from '../../aggregates/index.js';
import { writeModelsOf } from '../../lib/eventstore/write-models.js';
import { config } from '../../lib/config.js';
import type { Pool } from '../../lib/db/pool.js';
import { MariaDbEventStore } from '../../lib/eventstore/mariadb.js';
import type { NewEvent, StoredEvent } from '../../lib/eventstore/types.js';
import { MariaDbOutbox } from '../../lib/outbox/mariadb.js';
import { closedLoop } from '../support/load.js';
import { round } from '../support/stats.js';

const newEvent = (): NewEvent => {
  const now = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type: 'UserRegistered',
    data: { name: 'Bench User', dateRegister: now },
    metadata: { requestId: randomUUID() },
    occurredAt: now,
  };
};

type StepRates = Record<'append' | 'outboxCheck' | 'publish' | 'outboxClear', number>;

export async function commandSteps(
  pool: Pool,
  topic: string,
  concurrency: number,
  durationMs: number,
): Promise<StepRates> {
  const store = new MariaDbEventStore(pool, writeModelsOf(registry));
  const outbox = new MariaDbOutbox(pool);
  const bus = new KafkaEventBus({ ...config.kafka(), topic });
  const rate = async (op: (i: number) => Promise<unknown>, maxOps?: number) => {
    const r = await closedLoop({ concurrency, durationMs, op, maxOps });
    if (r.errors) throw new Error(`step failed: ${r.firstError}`);
    return round(r.perSecond, 0);
  };
  try {
    const stored = (): StoredEvent => ({ ...newEvent(), streamId: randomUUID(), version: 2, position: 0 });
    await bus.publish([stored()]);
    const positions: number[] = [];
    const append = await rate(async () => {
      const outcome = await store.append({
        streamId: randomUUID(),
        streamType: 'user',
        expectedVersion: 0,
        events: [newEvent()],
      });
      if (outcome.outcome === 'appended') positions.push(...outcome.events.map((e) => e.position));
    });
    return {
      append,
      outboxCheck: await rate(() => outbox.hasOlderPending(randomUUID(), 2)),
      publish: await rate(() => bus.publish([stored()])),
      outboxClear: await rate((i) => outbox.markPublished([positions[i]!]), positions.length),
    };
  } finally {
    await bus.close();
  }
}
