/**
 * Nothing that reaches the read database blocks a partition: a record the database refuses
 * (here: a name longer than a narrowed column) is isolated from its batch and dead-lettered with
 * the database's reason, and the rest of the batch is applied; a transient failure (a lock wait
 * timeout) still fails the whole batch, so the event source delivers it again. Every connection
 * runs in strict SQL mode, so the refusal is an error and never a silent truncation.
 */
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../lib/bus/envelope.js';
import { readDbConfig, type DbRole } from '../../lib/config.js';
import { closePools, createPool, pool } from '../../lib/db/pool.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { databases } from '../support/env.js';
import { envelope, record, userStream } from '../support/records.js';
import { registry } from '../fixtures/registry.js';

const admin = createPool({
  ...readDbConfig(process.env, 'admin'),
  database: databases.queries,
  connectionLimit: 2,
});
const projectionPool = createPool({ ...readDbConfig(process.env, 'projection'), connectionLimit: 4 });
const store = new MariaDbProjectionStore(projectionPool, registry, undefined, {
  keyring: keyringFor('projection'),
});
const topic = `isolation-${randomUUID()}`;
const rec = (e: Envelope) => record(e, 0, topic);

afterAll(async () => {
  await projectionPool.end();
  await admin.end();
  await closePools();
});

const version = async (id: string) =>
  Number(
    (
      (await admin.query('SELECT VERSION FROM USER_DATA WHERE USER_ID = ?', [id])) as Array<{
        VERSION: number;
      }>
    )[0]?.VERSION ?? 0,
  );

describe('the projection never fails a batch for data reasons', () => {
  it('a record the database refuses is dead-lettered as DATABASE_REJECTED and the rest of its batch is applied', async () => {
    await admin.query('ALTER TABLE USER_DATA MODIFY NAME VARCHAR(12) NOT NULL');
    try {
      const streams = Array.from({ length: 7 }, () => userStream(randomUUID(), 1));
      const refused = envelope(randomUUID(), 1, 'UserRegistered', {
        name: 'a name of twenty-odd characters',
        dateRegister: '2026-01-02T03:04:05.678Z',
      });
      const batch = [...streams.slice(0, 3).flat(), refused, ...streams.slice(3).flat()].map(rec);
      const plan = await store.projectBatch(batch);
      expect(plan.outcomes.filter((o) => o === 'applied')).toHaveLength(14);
      expect(plan.outcomes[6]).toBe('dead-lettered');
      expect(plan.deadLetters).toHaveLength(1);
      expect(plan.deadLetters[0]).toMatchObject({
        code: 'DATABASE_REJECTED',
        record: { offset: batch[6]!.offset },
      });
      expect(plan.deadLetters[0]!.reason).toMatch(/Data too long for column 'NAME'/);
      for (const stream of streams) expect(await version(stream[0]!.streamId)).toBe(2);
      expect(await version(refused.streamId)).toBe(0);
      const [letter] = (await admin.query(
        'SELECT reason_code, record_value FROM dead_letters WHERE topic = ? AND offset_no = ?',
        [topic, batch[6]!.offset],
      )) as Array<{ reason_code: string; record_value: Buffer }>;
      expect(letter?.reason_code).toBe('DATABASE_REJECTED');
      expect(JSON.parse(letter!.record_value.toString()).eventId).toBe(refused.eventId);
    } finally {
      await admin.query('ALTER TABLE USER_DATA MODIFY NAME VARCHAR(255) NOT NULL');
    }
  });

  it('a transient failure (a lock wait timeout) fails the whole batch and dead-letters nothing', async () => {
    const [held, other] = [userStream(randomUUID(), 0), userStream(randomUUID(), 0)];
    await store.projectBatch([rec(held[0]!)]);
    const locker = await admin.getConnection();
    const impatient = createPool({
      ...readDbConfig(process.env, 'projection'),
      connectionLimit: 1,
    });
    try {
      await locker.beginTransaction();
      await locker.query('SELECT * FROM USER_DATA WHERE USER_ID = ? FOR UPDATE', [held[0]!.streamId]);
      await impatient.query('SET SESSION innodb_lock_wait_timeout = 1');
      const renamed = { ...envelope(held[0]!.streamId, 2, 'UserRenamed', { name: 'renamed' }) };
      await expect(
        new MariaDbProjectionStore(impatient, registry, undefined, {
          keyring: keyringFor('projection'),
        }).projectBatch([rec(other[0]!), rec(renamed)]),
      ).rejects.toMatchObject({ errno: 1205 });
      expect(await version(other[0]!.streamId)).toBe(0);
      const [{ n }] = (await admin.query(
        'SELECT COUNT(*) AS n FROM dead_letters WHERE topic = ? AND reason_code = ?',
        [topic, 'DATABASE_REJECTED'],
      )) as [{ n: number }];
      expect(Number(n)).toBe(1);
    } finally {
      await locker.rollback();
      locker.release();
      await impatient.end();
    }
  });

  it.each<DbRole>(['command', 'relay', 'projection', 'query', 'operator'])(
    'the %s function connects in strict SQL mode',
    async (role) => {
      const [row] = (await pool(role).query('SELECT @@SESSION.sql_mode AS mode')) as Array<{ mode: string }>;
      expect(row!.mode.split(',')).toEqual(expect.arrayContaining(['STRICT_ALL_TABLES', 'NO_ZERO_DATE']));
    },
  );
});
