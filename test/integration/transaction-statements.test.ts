/**
 * A transaction's statements are collected, then sent to the server as one packet from
 * START TRANSACTION to COMMIT; the server stops at the first that fails, and the caller's
 * rollback leaves nothing of it. With `beforeCommit`, the transaction stays open until it
 * resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readDatabaseNames, readDbConfig } from '../../lib/config.js';
import { createPool } from '../../lib/db/pool.js';
import { TransactionStatements } from '../../lib/db/transaction-statements.js';

const pool = createPool({
  ...readDbConfig(process.env, 'admin'),
  database: readDatabaseNames(process.env).commands,
  connectionLimit: 3,
});

beforeAll(async () => {
  await pool.query('CREATE TABLE tx_rows (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(20) UNIQUE)');
  await pool.query('CREATE TABLE tx_links (row_id INT PRIMARY KEY, note VARCHAR(20))');
});

afterAll(async () => {
  await pool.query('DROP TABLE IF EXISTS tx_rows, tx_links');
  await pool.end();
});

/** Sends the transaction on a connection that records each query it is given (one packet apiece). */
async function sendRecorded(transaction: TransactionStatements, beforeCommit?: () => Promise<void>) {
  const conn = await pool.getConnection();
  const sent: string[] = [];
  try {
    const answers = await transaction
      .send({ query: (sql, values) => (sent.push(sql), conn.query(sql, values)) }, beforeCommit)
      .catch(async (error: unknown) => {
        await conn.query('ROLLBACK');
        throw error;
      });
    return { answers, sent };
  } finally {
    await conn.release();
  }
}

const tags = async () =>
  ((await pool.query('SELECT tag FROM tx_rows ORDER BY id')) as Array<{ tag: string }>).map((r) => r.tag);

describe('the statements of a transaction', () => {
  it('go to the server as one packet with START TRANSACTION and COMMIT, each with its own answer', async () => {
    const transaction = new TransactionStatements();
    const row = transaction.add('INSERT INTO tx_rows (tag) VALUES (?)', ['first']);
    await transaction.query('INSERT INTO tx_links (row_id, note) VALUES (LAST_INSERT_ID(), ?)', ['n']);
    const { answers, sent } = await sendRecorded(transaction);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^START TRANSACTION;\n.*;\nCOMMIT$/s);
    const id = (answers[row] as { insertId: number }).insertId;
    expect(await pool.query('SELECT row_id FROM tx_links WHERE note = ?', ['n'])).toEqual([{ row_id: id }]);
  });

  it('stop at the first that fails: none after it runs and the rollback leaves none before it', async () => {
    const transaction = new TransactionStatements();
    transaction.add('INSERT INTO tx_rows (tag) VALUES (?)', ['before']);
    transaction.add('INSERT INTO tx_rows (tag) VALUES (?)', ['first']);
    transaction.add('INSERT INTO tx_rows (tag) VALUES (?)', ['after']);
    await expect(sendRecorded(transaction)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(await tags()).toEqual(['first']);
  });

  it('with beforeCommit stay uncommitted, unseen by other connections, until it resolves', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = new TransactionStatements();
    transaction.add('INSERT INTO tx_rows (tag) VALUES (?)', ['held']);
    const sending = sendRecorded(transaction, () => held);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await tags()).not.toContain('held');
    release();
    const { sent } = await sending;
    expect(sent).toEqual([expect.stringMatching(/^START TRANSACTION;\nINSERT/), 'COMMIT']);
    expect(await tags()).toContain('held');
  });

  it('take one statement at a time with positional values only', () => {
    const transaction = new TransactionStatements();
    expect(() => transaction.add('SELECT 1; SELECT 2')).toThrow('One statement at a time');
    expect(() => transaction.add('SELECT :a', { a: 1 })).toThrow('positional values only');
  });
});
