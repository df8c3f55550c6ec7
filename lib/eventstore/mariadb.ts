import type { Pool } from '../db/pool.js';
import { TransactionStatements, type StatementSink } from '../db/transaction-statements.js';
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
 * write model). Its statements go out in the same packet as the event inserts, so the events'
 * global positions are not known yet, and no statement's answer is.
 */
export type InlineProjection = (transaction: StatementSink, events: UnpositionedEvent[]) => Promise<void>;

export interface EventStoreOptions {
  /** How long an idempotency record answers retries; an older one counts as absent. */
  idempotencyTtlMs: number;
  /**
   * Awaited between an append's statements and its `COMMIT`, which then go in two round trips:
   * the fault suite holds a transaction open with it (InnoDB's out-of-order visibility).
   */
  beforeCommit?: () => Promise<void>;
}

/** The append-only event store, its outbox and the idempotency records, in the commands database. */
export class MariaDbEventStore implements EventStore {
  private readonly ttlMicros: number;
  private readonly beforeCommit?: () => Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly inlineProjection?: InlineProjection,
    options: EventStoreOptions = { idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS },
  ) {
    this.ttlMicros = options.idempotencyTtlMs * 1000;
    this.beforeCommit = options.beforeCommit;
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
      const events = await this.inOnePacket(request);
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
   * One transaction in one round trip: the idempotency record, each event and its outbox row, the
   * write model's statements and the caller's own (a new stream's key) are collected first, then
   * sent as one packet from `START TRANSACTION` to `COMMIT` (lib/db/transaction-statements.ts).
   * The server stops at the first statement that fails (a duplicate key, a deadlock), so nothing
   * after it runs; what ran before it is rolled back.
   */
  private async inOnePacket(request: AppendRequest): Promise<StoredEvent[]> {
    const transaction = new TransactionStatements();
    const eventAnswers = await this.collect(transaction, request);
    const conn = await this.pool.getConnection();
    let clean = false;
    try {
      let answers: unknown[];
      try {
        answers = await transaction.send(conn, this.beforeCommit);
      } catch (error) {
        // The server's error is the append's answer, even when the rollback fails too.
        clean = await conn.query('ROLLBACK').then(
          () => true,
          () => false,
        );
        throw error;
      }
      clean = true;
      return request.events.map((event, i) => ({
        ...this.unpositioned(request, event, i),
        position: Number((answers[eventAnswers[i]!] as { insertId: number }).insertId),
      }));
    } finally {
      // A connection whose transaction could not be rolled back is not given to anyone else.
      if (clean) await conn.release();
      else await conn.destroy();
    }
  }

  private unpositioned(request: AppendRequest, event: NewEvent, i: number): UnpositionedEvent {
    const { streamId, streamType, expectedVersion } = request;
    return { ...event, streamId, streamType, version: expectedVersion + i + 1 };
  }

  /** The transaction's statements; answers where each event's insert is among the answers. */
  private async collect(transaction: TransactionStatements, request: AppendRequest): Promise<number[]> {
    const { streamId, streamType, events, idempotency } = request;
    if (idempotency) {
      transaction.add(
        'INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, status_code, response_body, created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))',
        [
          idempotency.caller,
          idempotency.key,
          idempotency.requestHash,
          idempotency.response.statusCode,
          JSON.stringify({ body: idempotency.response.body, headers: idempotency.response.headers ?? {} }),
        ],
      );
    }
    const unpositioned = events.map((event, i) => this.unpositioned(request, event, i));
    const eventAnswers = unpositioned.map((event) => {
      const answer = transaction.add(
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
      );
      // Right behind its event's insert, so LAST_INSERT_ID() is that event's position.
      transaction.add(
        'INSERT INTO outbox (position, stream_id, stream_type, version, created_at) VALUES (LAST_INSERT_ID(), ?, ?, ?, UTC_TIMESTAMP(3))',
        [streamId, streamType, event.version],
      );
      return answer;
    });
    if (this.inlineProjection && unpositioned.length) await this.inlineProjection(transaction, unpositioned);
    if (request.alsoInTransaction) await request.alsoInTransaction(transaction);
    return eventAnswers;
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
