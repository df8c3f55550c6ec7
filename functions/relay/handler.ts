/**
 * The outbox relay: publishes events whose immediate publish failed (the broker was down, the
 * function timed out). Runs on a schedule in AWS and as a loop beside `sls offline` locally. In
 * AWS it then reports the outbox's size and oldest age as metrics (an alarm watches the age).
 */
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { log } from '../../lib/log.js';
import { outboxBacklog } from '../../lib/ops/backlog.js';
import { publishOutboxMetrics } from '../../lib/outbox/metrics.js';
import { drainOutbox, type DrainSummary } from '../../lib/outbox/relay-runner.js';

export const handler = async (): Promise<DrainSummary> => {
  const summary = await drainOutbox(config.relay().budgetMs);
  if (summary.published) log.info('relay-drained', { ...summary });
  if (config.relay().emitMetrics)
    publishOutboxMetrics(await outboxBacklog(pool('relay'), config.databases()));
  return summary;
};
