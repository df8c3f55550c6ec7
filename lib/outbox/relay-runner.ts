import { KafkaEventBus } from '../bus/kafka.js';
import { config } from '../config.js';
import { pool } from '../db/pool.js';
import { log } from '../log.js';
import { relayOnce, type RelayOptions } from './relay.js';

export interface DrainSummary {
  published: number;
  passes: number;
  lastOutcome: string;
}

let bus: KafkaEventBus | undefined;

/** The relay's options and adapters, from the environment (built once per process). */
export function relayContext() {
  const relay = config.relay();
  const kafka = config.kafka();
  bus ??= new KafkaEventBus(kafka);
  const options: RelayOptions = {
    lockName: `cqrs_outbox_relay_${config.databases().commands}`,
    batchSize: relay.batchSize,
    minAgeMs: relay.minAgeMs,
  };
  return { pool: pool('relay'), bus, options, relay };
}

/** Runs relay passes until the outbox is drained, another relay holds the lock, a pass fails, or the budget is spent. */
export async function drainOutbox(
  budgetMs: number,
  overrides: Partial<RelayOptions> = {},
): Promise<DrainSummary> {
  const ctx = relayContext();
  const options = { ...ctx.options, ...overrides };
  const deadline = Date.now() + budgetMs;
  const summary: DrainSummary = { published: 0, passes: 0, lastOutcome: 'idle' };
  while (Date.now() < deadline) {
    const result = await relayOnce(ctx.pool, ctx.bus, options);
    summary.passes++;
    summary.lastOutcome = result.outcome;
    if (result.outcome === 'published') {
      summary.published += result.count;
      continue;
    }
    if (result.outcome === 'failed')
      log.warn('relay-publish-failed', { count: result.count, reason: result.error });
    break;
  }
  return summary;
}
