/**
 * The physical limit of a command that keeps a transactional outbox: the same writes as a
 * registration, hand-written with the same connector, pool, producer and concurrency, and no
 * framework (no HTTP shell, no validation, no decider, no event store class).
 *
 * One transaction: the event, its outbox row, the write-side state row, the new user's data key
 * row (personal_data_keys, as a registration stores its key), and the idempotency row when a
 * key is sent; then the acks=all produce through the same producer; then the outbox delete.
 * The transaction goes as one multi-statement packet, `START TRANSACTION` to `COMMIT`, in one
 * round trip, through the TransactionStatements the command function's event store uses; the
 * deletes of concurrent commands share one statement through the outbox adapter (one commit for
 * many). The limit thus uses the best technique the project knows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KafkaEventBus } from '../../lib/bus/kafka.js';
import type { Pool } from '../../lib/db/pool.js';
import { MariaDbOutbox } from '../../lib/outbox/mariadb.js';
import { TransactionStatements } from '../../lib/db/transaction-statements.js';
import type { StoredEvent } from '../../lib/eventstore/types.js';

export interface OutboxLimitOptions {
  /** Also write an idempotency row, as a command sent with an Idempotency-Key does. */
  idempotencyKey?: boolean;
}

export function outboxLimitOp(pool: Pool, bus: KafkaEventBus, options: OutboxLimitOptions = {}) {
  const outbox = new MariaDbOutbox(pool);
  return async (i: number) => {
    const streamId = randomUUID();
    const eventId = randomUUID();
    const now = new Date().toISOString();
    const data = { name: `Bench User ${i}`, dateRegister: now };
    const metadata = { requestId: randomUUID(), schemaVersion: 1 };
    const transaction = new TransactionStatements();
    if (options.idempotencyKey) {
      transaction.add(
        'INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, status_code, response_body, created_at) VALUES (?, ?, ?, 201, ?, UTC_TIMESTAMP(3))',
        ['bench', randomUUID(), 'h'.repeat(64), JSON.stringify({ body: { id: streamId }, headers: {} })],
      );
    }
    const eventAnswer = transaction.add(
      'INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata, occurred_at) VALUES (?, ?, ?, 1, ?, ?, ?, UTC_TIMESTAMP(3))',
      [eventId, streamId, 'user', 'UserRegistered', JSON.stringify(data), JSON.stringify(metadata)],
    );
    transaction.add(
      'INSERT INTO outbox (position, stream_id, stream_type, version, created_at) VALUES (LAST_INSERT_ID(), ?, ?, 1, UTC_TIMESTAMP(3))',
      [streamId, 'user'],
    );
    transaction.add(
      'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS) VALUES (?, ?, ?, 1, ?)',
      [data.name, data.dateRegister, streamId, 'active'],
    );
    transaction.add(
      'INSERT INTO personal_data_keys (stream_id, wrapped_key, wrapped_by, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))',
      [streamId, randomBytes(60), 'local'],
    );
    const conn = await pool.getConnection();
    let position: number;
    try {
      // The whole transaction in one packet and one round trip.
      try {
        const answers = await transaction.send(conn);
        position = Number((answers[eventAnswer] as { insertId: number }).insertId);
      } catch (error) {
        // The server stops at the failing statement: what ran before it is rolled back here.
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await conn.release();
    }
    const event: StoredEvent = {
      eventId,
      streamId,
      streamType: 'user',
      version: 1,
      type: 'UserRegistered',
      data,
      metadata,
      occurredAt: now,
      position,
    };
    await bus.publish([event]);
    await outbox.markPublished([position]);
  };
}
