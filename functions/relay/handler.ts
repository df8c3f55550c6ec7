/**
 * The outbox relay: publishes events whose immediate publish failed (the broker was down, the
 * function timed out). Runs on a schedule in AWS and as a loop beside `sls offline` locally.
 */
import { config } from '../../lib/config.js';
import { log } from '../../lib/log.js';
import { drainOutbox, type DrainSummary } from '../../lib/outbox/relay-runner.js';

export const handler = async (): Promise<DrainSummary> => {
  const summary = await drainOutbox(config.relay().budgetMs);
  if (summary.published) log.info('relay-drained', { ...summary });
  return summary;
};
