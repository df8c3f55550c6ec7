/**
 * The janitor: deletes idempotency records past their time to live (lib/ops/janitor.ts). Runs on
 * a schedule in AWS and as a loop beside `sls offline` locally.
 */
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { log } from '../../lib/log.js';
import { purgeExpiredIdempotencyKeys, type PurgeSummary } from '../../lib/ops/janitor.js';

export const handler = async (): Promise<PurgeSummary> => {
  const { idempotencyTtlMs, batchSize, budgetMs } = config.janitor();
  const summary = await purgeExpiredIdempotencyKeys(pool('janitor'), {
    ttlMs: idempotencyTtlMs,
    batchSize,
    budgetMs,
  });
  if (summary.deleted) log.info('idempotency-keys-purged', { ...summary });
  return summary;
};
