import { fromSqlDateTime } from '../db/datetime.js';
import type { Pool } from '../db/pool.js';

/** An event waiting in parked_events for the version before it. */
export interface ParkedEvent {
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  parkedAt: string;
  ageMs: number;
}

/** The parked events, oldest first (the operator's view: what waits, and for how long). */
export async function listParked(pool: Pool, limit = 100): Promise<ParkedEvent[]> {
  const rows = (await pool.query(
    `SELECT stream_id, version, event_id, JSON_VALUE(envelope, '$.type') AS type, parked_at,
            TIMESTAMPDIFF(MICROSECOND, parked_at, UTC_TIMESTAMP(3)) DIV 1000 AS age_ms
       FROM parked_events ORDER BY parked_at LIMIT ?`,
    [limit],
  )) as Array<{
    stream_id: string;
    version: number;
    event_id: string;
    type: string;
    parked_at: string;
    age_ms: number;
  }>;
  return rows.map((r) => ({
    streamId: r.stream_id,
    version: Number(r.version),
    eventId: r.event_id,
    type: r.type,
    parkedAt: fromSqlDateTime(r.parked_at),
    ageMs: Number(r.age_ms),
  }));
}
