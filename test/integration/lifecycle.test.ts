/**
 * Every table has a lifecycle. Idempotency records expire and the janitor (the scheduled
 * function, with its own database user) deletes them in bounded statements; the read side's
 * retention deletes old redriven dead letters and audit rows and keeps what still needs an
 * operator (dead letters not redriven, parked events).
 */
import { randomUUID } from 'node:crypto';
import { readDbConfig } from '../../lib/config.js';
import { closePools, createPool, pool } from '../../lib/db/pool.js';
import { purgeExpiredIdempotencyKeys } from '../../lib/ops/janitor.js';
import { applyRetention } from '../../lib/ops/retention.js';
import { handler as janitor } from '../../functions/janitor/handler.js';
import { databases } from '../support/env.js';

const admin = createPool({ ...readDbConfig(process.env, 'admin'), connectionLimit: 2 });
const commands = `\`${databases.commands}\``;
const queries = `\`${databases.queries}\``;

afterAll(async () => {
  await admin.end();
  await closePools();
});

async function idempotencyRecord(ageHours: number): Promise<string> {
  const key = randomUUID();
  await admin.query(
    `INSERT INTO ${commands}.idempotency_keys (caller, idempotency_key, request_hash, status_code, response_body, created_at)
     VALUES ('', ?, 'h', 201, '{}', UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)`,
    [key, Math.round(ageHours * 60)],
  );
  return key;
}

const keysLeft = async (keys: string[]) =>
  (
    (await admin.query(
      `SELECT idempotency_key AS k FROM ${commands}.idempotency_keys WHERE idempotency_key IN (?)`,
      [keys],
    )) as Array<{ k: string }>
  ).map((r) => r.k);

describe('idempotency records expire', () => {
  it('the janitor deletes records past their time to live, in bounded statements, and keeps the live ones', async () => {
    const expired = await Promise.all([25, 26, 30, 48, 72].map(idempotencyRecord));
    const live = await Promise.all([0, 1, 23].map(idempotencyRecord));
    const summary = await purgeExpiredIdempotencyKeys(pool('janitor'), {
      ttlMs: 24 * 3600 * 1000,
      batchSize: 2,
      budgetMs: 10000,
    });
    expect(summary).toEqual({ deleted: 5, statements: 3, done: true });
    expect((await keysLeft([...expired, ...live])).sort()).toEqual([...live].sort());
  });

  it('the scheduled janitor function runs with its own database user and the configured time to live', async () => {
    const [old, fresh] = [await idempotencyRecord(30), await idempotencyRecord(2)];
    expect(await janitor()).toMatchObject({ deleted: 1, done: true });
    expect(await keysLeft([old, fresh])).toEqual([fresh]);
  });
});

describe('the read side keeps what an operator still needs', () => {
  async function deadLetter(redrivenDaysAgo: number | null): Promise<number> {
    const result = (await admin.query(
      `INSERT INTO ${queries}.dead_letters (topic, partition_no, offset_no, record_key, record_value, headers, reason_code, reason, created_at, redriven_at)
       VALUES (?, 0, 0, NULL, NULL, '{}', 'UNPARSEABLE', 'test', UTC_TIMESTAMP(3) - INTERVAL 40 DAY,
               IF(? IS NULL, NULL, UTC_TIMESTAMP(3) - INTERVAL ? DAY))`,
      [`retention-${randomUUID()}`, redrivenDaysAgo, redrivenDaysAgo],
    )) as { insertId: number };
    return Number(result.insertId);
  }

  async function auditRow(daysAgo: number): Promise<void> {
    await admin.query(
      `INSERT INTO ${queries}.applied_events (event_id, stream_id, version, partition_no, offset_no, applied_at)
       VALUES (?, ?, 1, 0, 0, UTC_TIMESTAMP(3) - INTERVAL ? DAY)`,
      [randomUUID(), randomUUID(), daysAgo],
    );
  }

  it('deletes redriven dead letters after 30 days and audit rows after 7, keeps dead letters not redriven', async () => {
    const [oldRedriven, recentRedriven, pending] = [
      await deadLetter(31),
      await deadLetter(2),
      await deadLetter(null),
    ];
    await auditRow(8);
    await auditRow(1);
    const operator = pool('operator');
    const dry = await applyRetention(operator, undefined, { dryRun: true });
    expect(dry).toMatchObject({ redrivenDeadLetters: 1, auditRows: 1 });
    const done = await applyRetention(operator);
    expect(done).toMatchObject({ redrivenDeadLetters: 1, auditRows: 1, kept: { deadLetters: 1 } });
    const ids = (
      (await admin.query(`SELECT id FROM ${queries}.dead_letters WHERE id IN (?)`, [
        [oldRedriven, recentRedriven, pending],
      ])) as Array<{ id: number }>
    ).map((r) => Number(r.id));
    expect(ids.sort()).toEqual([recentRedriven, pending].sort());
    const [{ n }] = (await admin.query(`SELECT COUNT(*) AS n FROM ${queries}.applied_events`)) as [
      { n: number },
    ];
    expect(Number(n)).toBe(1);
  });
});
