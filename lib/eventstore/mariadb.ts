import type { Pool, PoolConnection } from '../db/pool.js';
import { toSqlDateTime } from '../db/datetime.js';
import { duplicateKeyName } from '../db/errors.js';
import { inTransaction } from '../db/pool.js';
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type AppendOutcome,
  type AppendRequest,
  type EventStore,
  type IdempotencyRecord,
  type IdempotencyScope,
  type StoredEvent,
  type StoredResponse,
} from './types.js';
import { EVENT_COLUMNS, jsonColumn, rowToEvent, type EventRow } from './rows.js';

/** Writes a read-optimised current state in the same transaction as the events (an aggregate's write model). */
export type InlineProjection = (conn: PoolConnection, events: StoredEvent[]) => Promise<void>;

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
      const events = await inTransaction(this.pool, (conn) => this.write(conn, request));
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
   * The statements are sent without waiting for each other (the connector pipelines them) and
   * awaited together; any failure rolls the whole transaction back.
   */
  private async write(conn: PoolConnection, request: AppendRequest): Promise<StoredEvent[]> {
    const { streamId, streamType, expectedVersion, events, idempotency } = request;
    const pending: Promise<unknown>[] = [];
    if (idempotency) {
      pending.push(
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
    const inserts = events.map((event, i) => {
      const version = expectedVersion + i + 1;
      const insert = conn.query(
        'INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          event.eventId,
          streamId,
          streamType,
          version,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          toSqlDateTime(event.occurredAt),
        ],
      ) as Promise<{ insertId: number }>;
      pending.push(
        conn.query(
          'INSERT INTO outbox (position, stream_id, stream_type, version, created_at) VALUES (LAST_INSERT_ID(), ?, ?, ?, UTC_TIMESTAMP(3))',
          [streamId, streamType, version],
        ),
      );
      return insert;
    });
    const settled = await Promise.allSettled([...inserts, ...pending]);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    const stored: StoredEvent[] = [];
    for (const [i, event] of events.entries()) {
      const { insertId } = await inserts[i]!;
      stored.push({
        ...event,
        streamId,
        streamType,
        version: expectedVersion + i + 1,
        position: Number(insertId),
      });
    }
    if (this.inlineProjection && stored.length) await this.inlineProjection(conn, stored);
    return stored;
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
