import type { Pool, Queryable } from '../db/pool.js';
import { StatementBurst } from '../db/statement-burst.js';
import { toSqlDateTime } from '../db/datetime.js';
import { duplicateKeyName } from '../db/errors.js';
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type AppendOutcome,
  type AppendRequest,
  type EventStore,
  type IdempotencyRecord,
  type IdempotencyScope,
  type NewEvent,
  type StoredEvent,
  type StoredResponse,
  type UnpositionedEvent,
} from './types.js';
import { EVENT_COLUMNS, jsonColumn, rowToEvent, type EventRow } from './rows.js';

/**
 * Writes a read-optimised current state in the same transaction as the events (an aggregate's
 * write model). Its statements go out in the same burst as the event inserts, so the events'
 * global positions are not known yet.
 */
export type InlineProjection = (conn: Queryable, events: UnpositionedEvent[]) => Promise<void>;

export interface EventStoreOptions {
  /** How long an idempotency record answers retries; an older one counts as absent. */
  idempotencyTtlMs: number;
}

/** The append-only event store, its outbox and the idempotency records, in the commands database. */
export class MariaDbEventStore implements EventStore {
  private readonly ttlMicros: number;

  constructor(
    private readonly pool: Pool,
    private readonly inlineProjection?: InlineProjection,
    options: EventStoreOptions = { idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS },
  ) {
    this.ttlMicros = options.idempotencyTtlMs * 1000;
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const rows = (await this.pool.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`,
      [streamId],
    )) as EventRow[];
    return rows.map(rowToEvent);
  }

  async append(request: AppendRequest, attempt = 1): Promise<AppendOutcome> {
    try {
      const events = await this.inOneBurst(request);
      return { outcome: 'appended', events };
    } catch (error) {
      const key = duplicateKeyName(error);
      if (key === 'PRIMARY' && request.idempotency) {
        const existing = await this.findIdempotencyRecord(request.idempotency);
        if (existing) return { outcome: 'idempotency-key-taken', existing };
        // The key's record has expired: it gives way to this request, which is tried again.
        if (attempt < 3) {
          await this.dropExpiredRecord(request.idempotency);
          return this.append(request, attempt + 1);
        }
      }
      if (key === 'uq_events_stream_version') {
        return { outcome: 'version-conflict', expectedVersion: request.expectedVersion };
      }
      throw error;
    }
  }

  /**
   * Deletes the caller's record of a key if it is past its time to live. Only on that rare path,
   * so an append never takes the locks of a DELETE on the idempotency table (which would turn
   * concurrent retries with one key into deadlocks).
   */
  private async dropExpiredRecord(scope: IdempotencyScope): Promise<void> {
    await this.pool.query(
      'DELETE FROM idempotency_keys WHERE caller = ? AND idempotency_key = ? AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND',
      [scope.caller, scope.key, this.ttlMicros],
    );
  }

  /**
   * One transaction in two round trips. The idempotency record, each event and its outbox row,
   * and the write model's statements go out as one burst (lib/db/statement-burst.ts: one
   * multi-statement packet; the server runs them in order and stops at the first that fails),
   * then `COMMIT` once all of them succeeded, or `ROLLBACK`. The burst opens with
   * `SET autocommit = 0` rather than `BEGIN`: a deadlock rolls back the whole transaction at the
   * statement that hit it, and with autocommit on, a statement sent after the burst would then
   * run and commit on its own; with it off it opens a new transaction that the `ROLLBACK`
   * undoes. Autocommit is switched back on, in the same round trip as the `COMMIT` or `ROLLBACK`,
   * before the connection goes back to the pool.
   */
  private async inOneBurst(request: AppendRequest): Promise<StoredEvent[]> {
    const conn = await this.pool.getConnection();
    let clean = false;
    try {
      const burst = new StatementBurst(conn);
      const opened = burst.query('SET autocommit = 0');
      const { inserts, statements } = this.statements(burst, request);
      const settled = await Promise.allSettled([opened, ...inserts, ...statements]);
      const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      // Two statements, not one packet: the connector takes the transaction state from a
      // multi-statement's first answer, and would roll back on release for nothing.
      await Promise.all([conn.query(failure ? 'ROLLBACK' : 'COMMIT'), conn.query('SET autocommit = 1')]);
      clean = true;
      if (failure) throw failure.reason;
      const stored: StoredEvent[] = [];
      for (const [i, event] of request.events.entries()) {
        const { insertId } = await inserts[i]!;
        stored.push({ ...this.unpositioned(request, event, i), position: Number(insertId) });
      }
      return stored;
    } finally {
      // A connection whose autocommit could not be restored is not given to anyone else.
      if (clean) await conn.release();
      else await conn.destroy();
    }
  }

  private unpositioned(request: AppendRequest, event: NewEvent, i: number): UnpositionedEvent {
    const { streamId, streamType, expectedVersion } = request;
    return { ...event, streamId, streamType, version: expectedVersion + i + 1 };
  }

  /** The burst's statements, sent without waiting for each other. */
  private statements(
    conn: Queryable,
    request: AppendRequest,
  ): { inserts: Array<Promise<{ insertId: number }>>; statements: Promise<unknown>[] } {
    const { streamId, streamType, events, idempotency } = request;
    const statements: Promise<unknown>[] = [];
    if (idempotency) {
      statements.push(
        conn.query(
          'INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, status_code, response_body, created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
          [
            idempotency.caller,
            idempotency.key,
            idempotency.requestHash,
            idempotency.response.statusCode,
            JSON.stringify({ body: idempotency.response.body, headers: idempotency.response.headers ?? {} }),
          ],
        ),
      );
    }
    const unpositioned = events.map((event, i) => this.unpositioned(request, event, i));
    const inserts = unpositioned.map((event) => {
      const insert = conn.query(
        'INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          event.eventId,
          streamId,
          streamType,
          event.version,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          toSqlDateTime(event.occurredAt),
        ],
      ) as Promise<{ insertId: number }>;
      // Right behind its event's insert on the connection, so LAST_INSERT_ID() is that event's position.
      statements.push(
        conn.query(
          'INSERT INTO outbox (position, stream_id, stream_type, version, created_at) VALUES (LAST_INSERT_ID(), ?, ?, ?, UTC_TIMESTAMP(3))',
          [streamId, streamType, event.version],
        ),
      );
      return insert;
    });
    if (this.inlineProjection && unpositioned.length)
      statements.push(this.inlineProjection(conn, unpositioned));
    if (request.alsoInTransaction) statements.push(request.alsoInTransaction(conn));
    return { inserts, statements };
  }

  async findIdempotencyRecord(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const rows = (await this.pool.query(
      `SELECT request_hash, status_code, response_body FROM idempotency_keys
        WHERE caller = ? AND idempotency_key = ? AND created_at >= UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND`,
      [scope.caller, scope.key, this.ttlMicros],
    )) as Array<{ request_hash: string; status_code: number; response_body: unknown }>;
    const row = rows[0];
    if (!row) return undefined;
    const stored = jsonColumn(row.response_body) as { body: unknown; headers: Record<string, string> };
    const response: StoredResponse = {
      statusCode: Number(row.status_code),
      body: stored.body,
      headers: stored.headers,
    };
    return { caller: scope.caller, key: scope.key, requestHash: row.request_hash, response };
  }
}
