/**
 * Least privilege, proven through the functions' own connection pools (the ones their handlers
 * use, from their configuration), not only as grants: the query function's connection cannot
 * write anything; the command function's connection can append events but never change or
 * delete one; the relay's can only clear the outbox; the ops function's can read counts and ages
 * and nothing else; the janitor's can only delete idempotency records. Every probe is harmless
 * even if it were wrongly allowed (WHERE 1 = 0, no-op updates).
 */
import { config } from '../../lib/config.js';
import { closeCommandDeps } from '../../lib/commands/deps.js';
import { closePools, pool } from '../../lib/db/pool.js';
import { handler as commandHandler } from '../../functions/command/handler.js';
import { handler as queryHandler } from '../../functions/query/handler.js';
import { invoke } from '../support/apigw.js';

const { commands, queries } = config.databases();
const DENIED = ['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR'];

afterAll(async () => {
  await closeCommandDeps();
  await closePools();
});

type Role = 'command' | 'query' | 'relay' | 'ops' | 'janitor';

async function refused(role: Role, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await pool(role).query(sql, params);
    return 'allowed';
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    return DENIED.includes(code) ? 'denied' : code;
  }
}

async function currentUser(role: Role): Promise<string> {
  const [row] = (await pool(role).query('SELECT CURRENT_USER() AS u')) as Array<{ u: string }>;
  return row!.u.split('@')[0]!;
}

describe("the functions' own database connections", () => {
  it('the query function reads with its own user, and that connection cannot write', async () => {
    expect(
      (await invoke(queryHandler, { method: 'GET', path: '/users', query: { limit: '1' } })).statusCode,
    ).toBe(200);
    expect(await currentUser('query')).toBe(config.db('query').user);
    const probes = [
      'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS, UPDATED_AT) SELECT NAME, DATE_REGISTER, USER_ID, VERSION, STATUS, UPDATED_AT FROM USER_DATA WHERE 1 = 0',
      'UPDATE USER_DATA SET NAME = NAME WHERE 1 = 0',
      'DELETE FROM USER_DATA WHERE 1 = 0',
      'DELETE FROM dead_letters WHERE 1 = 0',
      'UPDATE parked_events SET version = version WHERE 1 = 0',
      'CREATE TABLE query_probe_never (id INT)',
      'DROP TABLE IF EXISTS query_probe_never',
      `SELECT 1 FROM \`${commands}\`.events WHERE 1 = 0`,
    ];
    for (const sql of probes) expect([sql, await refused('query', sql)]).toEqual([sql, 'denied']);
  });

  it('the command function appends with its own user, and that connection cannot change or delete an event', async () => {
    const created = await invoke(commandHandler, {
      method: 'POST',
      path: '/users',
      body: { name: 'Immutable' },
    });
    expect(created.statusCode).toBe(201);
    expect(await currentUser('command')).toBe(config.db('command').user);
    const [event] = (await pool('command').query('SELECT position, type FROM events WHERE stream_id = ?', [
      created.body.id,
    ])) as Array<{ position: number; type: string }>;
    const at = event!.position;
    const probes: Array<[string, unknown[]]> = [
      ['UPDATE events SET type = type WHERE position = ?', [at]],
      ['DELETE FROM events WHERE position = ? AND 1 = 0', [at]],
      [
        'INSERT INTO events (event_id, stream_id, version, type, data, metadata, occurred_at) SELECT event_id, stream_id, version, type, data, metadata, occurred_at FROM events WHERE position = ? ON DUPLICATE KEY UPDATE type = VALUES(type)',
        [at],
      ],
      ["ALTER TABLE events COMMENT = 'probe'", []],
      [`SELECT 1 FROM \`${queries}\`.USER_DATA WHERE 1 = 0`, []],
    ];
    for (const [sql, params] of probes) {
      expect([sql, await refused('command', sql, params)]).toEqual([sql, 'denied']);
    }
    const [after] = (await pool('command').query('SELECT type FROM events WHERE position = ?', [
      event!.position,
    ])) as Array<{ type: string }>;
    expect(after?.type).toBe('UserRegistered');
  });

  it('every function connects in utf8mb4 without NO_BACKSLASH_ESCAPES (mariadb 3.5.4 escapes safely only then)', async () => {
    for (const role of ['command', 'query', 'relay'] as const) {
      const [row] = (await pool(role).query(
        'SELECT @@character_set_client AS cs, @@sql_mode AS mode',
      )) as Array<{
        cs: string;
        mode: string;
      }>;
      expect([role, row?.cs, /NO_BACKSLASH_ESCAPES/.test(row?.mode ?? '')]).toEqual([role, 'utf8mb4', false]);
    }
  });

  it("the relay's connection may clear the outbox but not touch an event", async () => {
    expect(await currentUser('relay')).toBe(config.db('relay').user);
    expect(await refused('relay', 'DELETE FROM outbox WHERE 1 = 0')).toBe('allowed');
    expect(await refused('relay', 'UPDATE events SET type = type WHERE 1 = 0')).toBe('denied');
    expect(await refused('relay', 'DELETE FROM events WHERE 1 = 0')).toBe('denied');
    expect(await refused('relay', 'INSERT INTO events SELECT * FROM events WHERE 1 = 0')).toBe('denied');
  });

  it("the ops function's connection reads the backlog views and nothing else: no event, no outbox row, no read-model row", async () => {
    expect(await currentUser('ops')).toBe(config.db('ops').user);
    expect(await refused('ops', `SELECT pending, oldest_age_ms FROM \`${commands}\`.outbox_backlog`)).toBe(
      'allowed',
    );
    expect(await refused('ops', `SELECT parked, dead_letters FROM \`${queries}\`.projection_backlog`)).toBe(
      'allowed',
    );
    const probes = [
      `SELECT 1 FROM \`${commands}\`.outbox WHERE 1 = 0`,
      `SELECT 1 FROM \`${commands}\`.events WHERE 1 = 0`,
      `SELECT 1 FROM \`${commands}\`.idempotency_keys WHERE 1 = 0`,
      `SELECT 1 FROM \`${queries}\`.dead_letters WHERE 1 = 0`,
      `SELECT 1 FROM \`${queries}\`.parked_events WHERE 1 = 0`,
      `SELECT 1 FROM \`${queries}\`.USER_DATA WHERE 1 = 0`,
      `DELETE FROM \`${commands}\`.outbox WHERE 1 = 0`,
    ];
    for (const sql of probes) expect([sql, await refused('ops', sql)]).toEqual([sql, 'denied']);
  });

  it("the janitor's connection may delete idempotency records and touch nothing else", async () => {
    expect(await refused('janitor', 'DELETE FROM idempotency_keys WHERE 1 = 0')).toBe('allowed');
    for (const sql of [
      'DELETE FROM outbox WHERE 1 = 0',
      'SELECT 1 FROM events WHERE 1 = 0',
      'UPDATE idempotency_keys SET status_code = status_code WHERE 1 = 0',
      `SELECT 1 FROM \`${queries}\`.USER_DATA WHERE 1 = 0`,
    ]) {
      expect([sql, await refused('janitor', sql)]).toEqual([sql, 'denied']);
    }
  });
});
