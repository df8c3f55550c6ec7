import { Coalescer } from '../coalesce.js';
import type { Pool } from '../db/pool.js';
import { eventColumns, rowToEvent, type EventRow } from '../eventstore/rows.js';
import type { StoredEvent } from '../eventstore/types.js';

/**
 * The outbox table seen from the publishing side: what is pending, and clearing what was sent.
 * Clearing is coalesced: positions that arrive while a DELETE runs go together in the next
 * one, so concurrent commands share a transaction instead of committing one each.
 */
export class MariaDbOutbox {
  private readonly clears = new Coalescer<number>(
    (positions) => this.pool.query('DELETE FROM outbox WHERE position IN (?)', [positions]),
    1000,
  );

  constructor(private readonly pool: Pool) {}

  /** True when an event of this stream older than `version` still waits to be published. */
  async hasOlderPending(streamId: string, version: number): Promise<boolean> {
    const rows = (await this.pool.query('SELECT 1 FROM outbox WHERE stream_id = ? AND version < ? LIMIT 1', [
      streamId,
      version,
    ])) as unknown[];
    return rows.length > 0;
  }

  async markPublished(positions: number[]): Promise<void> {
    await this.clears.submit(positions);
  }
}

/**
 * Reads pending outbox rows in global order, joined with their events. A row is pending until
 * deleted, so there is no high-water mark to skip past a row that was not yet visible: an
 * event committed late is still pending at the next poll (the InnoDB auto-increment visibility
 * trap cannot lose it). `minAgeMs` leaves fresh rows to the command that wrote them.
 */
export async function readPending(
  conn: { query: Pool['query'] },
  limit: number,
  minAgeMs: number,
): Promise<StoredEvent[]> {
  const rows = (await conn.query(
    `SELECT ${eventColumns('e')}
       FROM outbox o JOIN events e ON e.position = o.position
      WHERE o.created_at <= UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND
      ORDER BY o.position
      LIMIT ?`,
    [minAgeMs * 1000, limit],
  )) as EventRow[];
  return rows.map(rowToEvent);
}
