/**
 * How long the read side keeps what it holds besides the read model, applied by the operator
 * (`npm run retention`, or the admin function's `retention` action):
 * - dead letters that were redriven: 30 days, then deleted (the record went through after all);
 * - dead letters not redriven: kept until an operator redrives or drops them, since each one is a
 *   record the read model lacks;
 * - parked events: never deleted, since each one is an event of the store waiting for the one
 *   before it; GET /health turns degraded when one waits too long;
 * - the applied-events audit (PROJECTION_AUDIT=applied): 7 days.
 * Deletes go in bounded statements, oldest first.
 */
import type { Pool } from '../db/pool.js';

export interface RetentionPolicy {
  redrivenDeadLetterDays: number;
  auditDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { redrivenDeadLetterDays: 30, auditDays: 7 };

export interface RetentionSummary {
  /** Rows deleted (or, in a dry run, that would be). */
  redrivenDeadLetters: number;
  auditRows: number;
  /** Kept by policy, for the operator's attention. */
  kept: { deadLetters: number; parkedEvents: number };
}

const count = async (pool: Pool, sql: string, params: unknown[] = []) =>
  Number(((await pool.query(sql, params)) as Array<{ n: number }>)[0]?.n ?? 0);

async function deleteInBatches(
  pool: Pool,
  sql: string,
  params: unknown[],
  batchSize: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { affectedRows } = (await pool.query(`${sql} LIMIT ?`, [...params, batchSize])) as {
      affectedRows: number;
    };
    deleted += affectedRows;
    if (affectedRows < batchSize) return deleted;
  }
}

/** `pool`: the operator role on the queries database. */
export async function applyRetention(
  pool: Pool,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  { dryRun = false, batchSize = 1000 } = {},
): Promise<RetentionSummary> {
  const redriven = [
    'FROM dead_letters WHERE redriven_at IS NOT NULL AND redriven_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY',
    [policy.redrivenDeadLetterDays],
  ] as const;
  const audit = [
    'FROM applied_events WHERE applied_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY',
    [policy.auditDays],
  ] as const;
  const summary: RetentionSummary = {
    redrivenDeadLetters: dryRun
      ? await count(pool, `SELECT COUNT(*) AS n ${redriven[0]}`, [...redriven[1]])
      : await deleteInBatches(
          pool,
          `DELETE ${redriven[0]} ORDER BY redriven_at`,
          [...redriven[1]],
          batchSize,
        ),
    auditRows: dryRun
      ? await count(pool, `SELECT COUNT(*) AS n ${audit[0]}`, [...audit[1]])
      : await deleteInBatches(pool, `DELETE ${audit[0]} ORDER BY id`, [...audit[1]], batchSize),
    kept: {
      deadLetters: await count(pool, 'SELECT COUNT(*) AS n FROM dead_letters WHERE redriven_at IS NULL'),
      parkedEvents: await count(pool, 'SELECT COUNT(*) AS n FROM parked_events'),
    },
  };
  return summary;
}
