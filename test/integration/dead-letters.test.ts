/** `npm run dlq`: listing, inspecting, redriving and dropping dead letters, through the CLI. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { handler as admin } from '../../functions/admin/handler.js';
import { ROOT } from '../../infra/paths.js';
import { closePools } from '../../lib/db/pool.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';
import { envelope } from '../support/records.js';

const run = promisify(execFile);
let dbs: IsolatedDatabases;

beforeAll(async () => {
  dbs = await isolatedDatabases('dl');
});
afterAll(async () => {
  await dbs.drop();
});

async function dlq(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/dlq.ts', ...args], {
      cwd: ROOT,
      env: dbs.env,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** A dead letter as the projection stores it: the raw record and why it failed at the time. */
async function deadLetter(value: string, reasonCode = 'UNKNOWN_EVENT_TYPE'): Promise<number> {
  const result = (await dbs.pool('operator').query(
    `INSERT INTO dead_letters (topic, partition_no, offset_no, record_key, record_value, headers, reason_code, reason, created_at)
     VALUES ('user-events', 0, ?, NULL, ?, '{}', ?, 'failed before the fix', UTC_TIMESTAMP(3))`,
    [Math.floor(Math.random() * 1e12), Buffer.from(value), reasonCode],
  )) as { insertId: number };
  return Number(result.insertId);
}

describe('dead letters', () => {
  it('redrive applies a record that the fixed projection accepts and marks it redriven', async () => {
    const id = randomUUID();
    const registered = envelope(id, 1, 'UserRegistered', {
      name: 'Redriven',
      dateRegister: '2026-01-02T03:04:05.678Z',
    });
    const letter = await deadLetter(JSON.stringify(registered));

    expect((await dlq('list')).out).toContain(`${letter}`);
    const redriven = await dlq('redrive', String(letter));
    expect(redriven).toEqual({ code: 0, out: expect.stringContaining('redriven: applied') });
    const [row] = (await dbs
      .pool('operator')
      .query('SELECT NAME, VERSION FROM USER_DATA WHERE USER_ID = ?', [id])) as Array<{
      NAME: string;
      VERSION: number;
    }>;
    expect(row).toEqual({ NAME: 'Redriven', VERSION: 1 });
    expect((await dlq('list')).out).not.toMatch(new RegExp(`^\\s*${letter}\\s`, 'm'));
    expect((await dlq('list', '--all')).out).toContain('redriven');
    expect((await dlq('redrive', String(letter))).out).toContain('already redriven');
  });

  it('redrive of a record that still fails keeps it, with the new reason, and exits 1', async () => {
    const letter = await deadLetter('{still not json');
    const result = await dlq('redrive', String(letter));
    expect(result.code).toBe(1);
    expect(result.out).toContain('still fails (UNPARSEABLE)');
    const [row] = (await dbs
      .pool('operator')
      .query('SELECT reason_code, redriven_at FROM dead_letters WHERE id = ?', [letter])) as Array<{
      reason_code: string;
      redriven_at: string | null;
    }>;
    expect(row).toEqual({ reason_code: 'UNPARSEABLE', redriven_at: null });
  });

  it('show prints the raw record, and drop deletes it', async () => {
    const letter = await deadLetter('{"raw": true');
    const shown = await dlq('show', String(letter));
    expect(JSON.parse(shown.out)).toMatchObject({
      id: letter,
      value: '{"raw": true',
      reasonCode: 'UNKNOWN_EVENT_TYPE',
    });
    expect(await dlq('drop', String(letter))).toEqual({ code: 0, out: expect.stringContaining('dropped') });
    expect((await dlq('show', String(letter))).code).toBe(1);
  });

  it('bad usage exits 2 with the usage line', async () => {
    expect(await dlq('redrive', 'abc')).toEqual({
      code: 2,
      out: expect.stringContaining('Usage: npm run dlq'),
    });
    expect((await dlq('explode')).code).toBe(2);
  });

  it('the admin function offers the same actions and rejects unknown ones', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      QUERIES_DB: dbs.env.QUERIES_DB,
      OPERATOR_DB_USER: dbs.env.OPERATOR_DB_USER,
    });
    try {
      const letter = await deadLetter('{nope');
      expect(await admin({ action: 'dlq-list' })).toMatchObject({
        items: expect.arrayContaining([expect.objectContaining({ id: letter })]),
      });
      expect(await admin({ action: 'dlq-redrive', id: letter })).toMatchObject({ outcome: 'still-failing' });
      expect(await admin({ action: 'dlq-drop', id: letter })).toEqual({ dropped: true });
      expect(await admin({ action: 'explode' })).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    } finally {
      await closePools();
      process.env = saved;
    }
  });
});
