/**
 * Idempotency records live for a set time (COMMAND_IDEMPOTENCY_TTL_HOURS, 24 by default): past it
 * a retry with the same key is a new request. The janitor deletes the expired ones, oldest first,
 * in bounded statements, so the table holds about one day of keys and no delete holds many locks.
 */
import type { Pool } from '../db/pool.js';

export interface PurgeSummary {
  deleted: number;
  statements: number;
  /** False when the budget ran out with expired records left (the next run goes on). */
  done: boolean;
}

export async function purgeExpiredIdempotencyKeys(
  pool: Pool,
  options: { ttlMs: number; batchSize: number; budgetMs: number },
): Promise<PurgeSummary> {
  const deadline = Date.now() + options.budgetMs;
  const summary: PurgeSummary = { deleted: 0, statements: 0, done: false };
  while (Date.now() < deadline) {
    const result = (await pool.query(
      `DELETE FROM idempotency_keys WHERE created_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND
        ORDER BY created_at LIMIT ?`,
      [options.ttlMs * 1000, options.batchSize],
    )) as { affectedRows: number };
    summary.statements++;
    summary.deleted += result.affectedRows;
    if (result.affectedRows < options.batchSize) {
      summary.done = true;
      break;
    }
  }
  return summary;
}
