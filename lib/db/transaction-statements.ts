/**
 * The statements of one transaction, collected before any of them is sent, so the whole
 * transaction goes to the server as one multi-statement packet, `START TRANSACTION` to `COMMIT`:
 * one write and one round trip, where pipelining sends each statement as its own write (on a
 * loopback socket each write cost tens of microseconds of the command's CPU, and every round
 * trip its latency). The server runs them in order and stops at the first that fails, so nothing
 * after a failure runs and the transaction is rolled back whole.
 *
 * Whoever adds statements (a write model, the key store) gets no answers back: a statement is
 * written into the transaction, which either commits all of them or fails the caller that
 * sends it. The pool must allow multiple statements (createPool does); values are bound by the
 * connector, as for any other query.
 */

/** Where a write goes that is sent later with the rest of its transaction; it answers nothing. */
export interface StatementSink {
  query(sql: string, values?: unknown): Promise<void>;
}

interface Statement {
  sql: string;
  values: unknown[];
}

export class TransactionStatements implements StatementSink {
  private readonly statements: Statement[] = [];

  /** Adds a statement; `values` are positional (`?`). */
  async query(sql: string, values: unknown = []): Promise<void> {
    this.add(sql, values);
  }

  /** The same, synchronously; returns the statement's answer's index in `send`'s answers. */
  add(sql: string, values: unknown = []): number {
    if (!Array.isArray(values)) throw new Error('A transaction statement takes positional values only.');
    if (sql.includes(';')) throw new Error('One statement at a time: a statement holds no `;`.');
    this.statements.push({ sql, values });
    // START TRANSACTION answers first.
    return this.statements.length;
  }

  /**
   * Sends the transaction and answers each statement's result, in order (index 0: START
   * TRANSACTION). With `beforeCommit`, the `COMMIT` waits for it, so the transaction stays open
   * meanwhile. On a failure the server's error is thrown, and the caller rolls back what ran.
   */
  async send(
    conn: { query(sql: string, values?: unknown): Promise<unknown> },
    beforeCommit?: () => Promise<void>,
  ): Promise<unknown[]> {
    const body = ['START TRANSACTION', ...this.statements.map((s) => s.sql)];
    const values = this.statements.flatMap((s) => s.values);
    if (!beforeCommit) return (await conn.query([...body, 'COMMIT'].join(';\n'), values)) as unknown[];
    const answers = (await conn.query(body.join(';\n'), values)) as unknown[];
    await beforeCommit();
    await conn.query('COMMIT');
    return answers;
  }
}
