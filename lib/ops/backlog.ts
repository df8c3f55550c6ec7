/**
 * The figures of GET /health that live in the databases, read through the views the ops user may
 * read and nothing else (commands.outbox_backlog, queries.projection_backlog): counts and ages,
 * never an event or a payload.
 */
import type { DatabaseNames } from '../config.js';
import { fromSqlDateTime } from '../db/datetime.js';
import type { Queryable } from '../aggregate/definition.js';

export interface OutboxBacklog {
  /** Events committed and not yet on Kafka. */
  pending: number;
  oldestAgeMs: number;
}

export interface ReadModelBacklog {
  /** Events held behind a gap in their stream, waiting for the version before them. */
  parked: { count: number; oldestAgeMs: number };
  /** Records the projection could not apply and nobody has redriven yet. */
  deadLetters: { count: number; newestAt: string | null };
}

export async function outboxBacklog(pool: Queryable, names: DatabaseNames): Promise<OutboxBacklog> {
  const [row] = (await pool.query(
    `SELECT pending, oldest_age_ms FROM \`${names.commands}\`.outbox_backlog`,
  )) as Array<{ pending: number; oldest_age_ms: number }>;
  return { pending: Number(row?.pending ?? 0), oldestAgeMs: Number(row?.oldest_age_ms ?? 0) };
}

export async function readModelBacklog(pool: Queryable, names: DatabaseNames): Promise<ReadModelBacklog> {
  const [row] = (await pool.query(
    `SELECT parked, oldest_parked_age_ms, dead_letters, newest_dead_letter_at FROM \`${names.queries}\`.projection_backlog`,
  )) as Array<{
    parked: number;
    oldest_parked_age_ms: number;
    dead_letters: number;
    newest_dead_letter_at: string | null;
  }>;
  const newest = row?.newest_dead_letter_at ?? null;
  return {
    parked: { count: Number(row?.parked ?? 0), oldestAgeMs: Number(row?.oldest_parked_age_ms ?? 0) },
    deadLetters: {
      count: Number(row?.dead_letters ?? 0),
      newestAt: newest === null ? null : fromSqlDateTime(newest),
    },
  };
}
