/**
 * A burst sends the statements issued on it before the event loop's next turn as one
 * multi-statement query, gives each its own answer, and sends a statement issued later on its
 * own; the server stops at the first statement that fails, and every statement of the burst
 * rejects with that error.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readDatabaseNames, readDbConfig } from '../../lib/config.js';
import { createPool, type PoolConnection } from '../../lib/db/pool.js';
import { StatementBurst } from '../../lib/db/statement-burst.js';

const pool = createPool({
  ...readDbConfig(process.env, 'admin'),
  database: readDatabaseNames(process.env).commands,
  connectionLimit: 1,
});
let conn: PoolConnection;
/** The queries the connection was given, as the connector sends each: one packet apiece. */
const sent: string[] = [];
const recorded = {
  query: (sql: string, values?: unknown) => {
    sent.push(sql);
    return conn.query(sql, values);
  },
};

beforeAll(async () => {
  conn = await pool.getConnection();
  await conn.query(
    'CREATE TEMPORARY TABLE burst_rows (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(20) UNIQUE)',
  );
  await conn.query('CREATE TEMPORARY TABLE burst_links (row_id INT PRIMARY KEY, note VARCHAR(20))');
});

afterAll(async () => {
  await conn.release();
  await pool.end();
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('a statement burst', () => {
  it('statements issued before the next turn reach the server as one query, each with its own answer', async () => {
    sent.length = 0;
    const burst = new StatementBurst(recorded);
    const inserted = burst.query('INSERT INTO burst_rows (tag) VALUES (?)', ['first']);
    const linked = burst.query('INSERT INTO burst_links (row_id, note) VALUES (LAST_INSERT_ID(), ?)', ['n']);
    // Issued after awaiting work already done, as a write model does after opening its events.
    const later = Promise.resolve().then(() =>
      burst.query('SELECT tag FROM burst_rows WHERE id IN (?)', [[1, 2, 3]]),
    );
    const [row, link, selected] = await Promise.all([inserted, linked, later]);
    expect(sent).toHaveLength(1);
    const id = (row as { insertId: number }).insertId;
    expect(id).toBeGreaterThan(0);
    expect((link as { affectedRows: number }).affectedRows).toBe(1);
    expect(selected).toEqual(expect.arrayContaining([{ tag: 'first' }]));
    expect(await conn.query('SELECT row_id FROM burst_links WHERE note = ?', ['n'])).toEqual([
      { row_id: id },
    ]);
  });

  it('a statement issued after the burst left goes on its own, behind it on the same connection', async () => {
    sent.length = 0;
    const burst = new StatementBurst(recorded);
    const inserted = burst.query('INSERT INTO burst_rows (tag) VALUES (?)', ['second']);
    await nextTurn();
    const late = burst.query('SELECT LAST_INSERT_ID() AS id');
    const [row, [last]] = (await Promise.all([inserted, late])) as [
      { insertId: number },
      Array<{ id: number }>,
    ];
    expect(sent).toHaveLength(2);
    expect(Number(last!.id)).toBe(row.insertId);
  });

  it('the server stops at the first failing statement: every statement of the burst rejects and none after it runs', async () => {
    const burst = new StatementBurst(recorded);
    const statements = [
      burst.query('INSERT INTO burst_rows (tag) VALUES (?)', ['third']),
      burst.query('INSERT INTO burst_rows (tag) VALUES (?)', ['first']),
      burst.query('INSERT INTO burst_rows (tag) VALUES (?)', ['never']),
    ];
    const settled = await Promise.allSettled(statements);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ER_DUP_ENTRY' });
    const tags = (await conn.query('SELECT tag FROM burst_rows ORDER BY id')) as Array<{ tag: string }>;
    expect(tags.map((t) => t.tag)).toEqual(['first', 'second', 'third']);
  });

  it('takes positional values only', () => {
    const burst = new StatementBurst(recorded);
    expect(() => burst.query('SELECT :a', { a: 1 })).toThrow('positional values only');
  });
});
