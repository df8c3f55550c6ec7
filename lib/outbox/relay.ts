import type { EventBus } from '../bus/types.js';
import type { Pool } from '../db/pool.js';
import { readPending } from './mariadb.js';

export type RelayOutcome =
  | { outcome: 'idle' }
  | { outcome: 'busy' }
  | { outcome: 'published'; count: number }
  | { outcome: 'failed'; count: number; error: string };

export interface RelayOptions {
  /** The lock is per commands database, so two stacks on one server do not block each other. */
  lockName: string;
  batchSize: number;
  /** Rows younger than this are left to the command that wrote them. */
  minAgeMs: number;
}

/**
 * One relay pass: publishes the oldest pending outbox rows in global (so per-stream) order and
 * deletes them once the broker acknowledged them.
 *
 * Two relays: a named lock lets one work and the other return 'busy'; the lock dies with its
 * connection, so a crashed relay never holds it. A crash after publishing and before deleting
 * leaves the rows pending: they are published again, and the projection skips the duplicate
 * by stream version.
 */
export async function relayOnce(pool: Pool, bus: EventBus, options: RelayOptions): Promise<RelayOutcome> {
  const conn = await pool.getConnection();
  try {
    const [lock] = (await conn.query('SELECT GET_LOCK(?, 0) AS got', [options.lockName])) as Array<{
      got: number;
    }>;
    if (Number(lock?.got) !== 1) return { outcome: 'busy' };
    try {
      const events = await readPending(conn, options.batchSize, options.minAgeMs);
      if (events.length === 0) return { outcome: 'idle' };
      const positions = events.map((e) => e.position);
      try {
        await bus.publish(events);
      } catch (error) {
        const message = (error as Error).message.slice(0, 1000);
        await conn.query('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE position IN (?)', [
          message,
          positions,
        ]);
        return { outcome: 'failed', count: events.length, error: message };
      }
      await conn.query('DELETE FROM outbox WHERE position IN (?)', [positions]);
      return { outcome: 'published', count: events.length };
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [options.lockName]);
    }
  } finally {
    await conn.release();
  }
}
