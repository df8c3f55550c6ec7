/** The events table's row, and how it becomes a StoredEvent: owned by the event store, used by every reader of it. */
import { fromSqlDateTime } from '../db/datetime.js';
import type { StoredEvent } from './types.js';

export interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  stream_type: string | null;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  occurred_at: string;
}

/** The columns of EventRow, for `SELECT ${EVENT_COLUMNS} FROM events` (prefixed for a join). */
export function eventColumns(alias?: string): string {
  const p = alias ? `${alias}.` : '';
  return [
    'position',
    'event_id',
    'stream_id',
    'stream_type',
    'version',
    'type',
    'data',
    'metadata',
    'occurred_at',
  ]
    .map((c) => p + c)
    .join(', ');
}

export const EVENT_COLUMNS = eventColumns();

/** A JSON column's value: the connector returns it as text or already parsed, by server and type. */
export const jsonColumn = (value: unknown): unknown =>
  typeof value === 'string' ? JSON.parse(value) : value;

export function rowToEvent(row: EventRow): StoredEvent {
  return {
    position: Number(row.position),
    eventId: row.event_id,
    streamId: row.stream_id,
    ...(row.stream_type === null || row.stream_type === undefined ? {} : { streamType: row.stream_type }),
    version: Number(row.version),
    type: row.type,
    data: jsonColumn(row.data),
    metadata: jsonColumn(row.metadata) as StoredEvent['metadata'],
    occurredAt: fromSqlDateTime(row.occurred_at),
  };
}
