/**
 * Issue item 3: the projection function applying batches of 100 and 1,000 events (each a new
 * user, so every event is a row to write), invoked with the MSK event the offline plugin
 * builds, against a raw bulk upsert of the same rows through the connector's batch().
 */
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { toMessage } from '../../lib/bus/envelope.js';
import { readDbConfig } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';
import type { StoredEvent } from '../../lib/eventstore/types.js';
import { buildKafkaEvent } from '../../plugins/serverless-offline-kafka/kafka-event.js';
import { registry } from '../../aggregates/index.js';
import { sealData } from '../../lib/personal-data/fields.js';
import type { Keyring } from '../../lib/personal-data/keyring.js';

let offset = 0;
let position = 0;

/**
 * `size` UserRegistered events of new streams, as the projection function receives them; `seal`
 * (keys made beforehand) turns each plain name into what a command stores now.
 */
export function registrationBatch(
  topic: string,
  size: number,
  seal?: (streamId: string, data: unknown) => unknown,
  streamIds?: string[],
) {
  const now = new Date().toISOString();
  const events: StoredEvent[] = Array.from({ length: size }, (_, i) => ({
    eventId: randomUUID(),
    streamId: streamIds?.[i] ?? randomUUID(),
    version: 1,
    position: ++position,
    type: 'UserRegistered',
    data: { name: `Bench User ${position}`, dateRegister: now },
    // As a traced command writes it: each event carries its command's trace context.
    metadata: {
      requestId: randomUUID(),
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    },
    occurredAt: now,
  }));
  const records = events.map((event) => {
    const message = toMessage(seal ? { ...event, data: seal(event.streamId, event.data) } : event);
    return {
      topic,
      partition: 0,
      offset: String(offset++),
      timestamp: String(Date.now()),
      key: Buffer.from(message.key),
      value: Buffer.from(message.value),
      headers: message.headers,
    };
  });
  const lambdaEvent = buildKafkaEvent(
    { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local', bootstrapServers: '127.0.0.1:9092' },
    records,
  );
  return { events, lambdaEvent };
}

/**
 * A batch whose names are sealed as the command function seals them, each stream's key made and
 * stored first (outside any measurement), so the projection finds, unwraps and opens them.
 */
export async function sealedRegistrationBatch(topic: string, size: number, keyring: Keyring) {
  const ids = Array.from({ length: size }, () => randomUUID());
  const keys = new Map<string, KeyObject>();
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        const key = await keyring.keyForWriting(id);
        if (key !== 'erased') keys.set(id, key);
      }),
    );
  }
  return registrationBatch(
    topic,
    size,
    (id, data) => sealData(registry.byName('users')!.events, 'UserRegistered', id, data, keys.get(id)!),
    ids,
  );
}

/** The projection role's own pool on the benchmark's queries database (the same grants). */
export function projectionPool(): Pool {
  return createPool({ ...readDbConfig(process.env, 'projection'), connectionLimit: 2 });
}

/** The same rows the projection writes, as one bulk upsert in one transaction. */
export async function rawBulkUpsert(pool: Pool, events: StoredEvent[]): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.batch(
      `INSERT INTO USER_DATA (USER_ID, NAME, DATE_REGISTER, VERSION, STATUS, UPDATED_AT)
       VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
       ON DUPLICATE KEY UPDATE NAME = VALUES(NAME), VERSION = VALUES(VERSION), STATUS = VALUES(STATUS), UPDATED_AT = VALUES(UPDATED_AT)`,
      events.map((e) => {
        const data = e.data as { name: string; dateRegister: string };
        return [e.streamId, data.name, data.dateRegister, e.version, 'active'];
      }),
    );
    await conn.commit();
  } finally {
    await conn.release();
  }
}
