/**
 * Statements sent to the server together. Every statement issued on a burst before the event
 * loop's next turn (the caller's own, and those of write models that first await work already
 * done, such as an opened key from the cache) goes in one multi-statement query: one packet and
 * one round trip, where pipelining sends each statement as its own write (on a loopback socket
 * each write cost tens of microseconds of the command's CPU, about a third of its own work).
 * Statements issued after the burst left go on their own, pipelined behind it on the same
 * connection, so a slow caller is still in the transaction, only not in the packet.
 *
 * The server runs the statements in order and stops at the first that fails; every statement
 * of the burst then rejects with that error. The pool must allow multiple statements (createPool
 * does); values are bound by the connector, as for any other query.
 */

interface Connection {
  query(sql: string, values?: unknown): Promise<unknown>;
}

interface Pending {
  sql: string;
  values: unknown[];
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

export class StatementBurst {
  private pending: Pending[] | undefined = [];

  constructor(private readonly conn: Connection) {
    setImmediate(() => this.send());
  }

  /** The statement's result; `values` are positional (`?`), as the pipelined queries' are. */
  query(sql: string, values: unknown = []): Promise<unknown> {
    if (!Array.isArray(values)) throw new Error('A burst takes positional values only.');
    if (!this.pending) return this.conn.query(sql, values);
    return new Promise((resolve, reject) => this.pending!.push({ sql, values, resolve, reject }));
  }

  private send(): void {
    const taken = this.pending ?? [];
    this.pending = undefined;
    if (!taken.length) return;
    if (taken.length === 1) {
      const [only] = taken as [Pending];
      this.conn.query(only.sql, only.values).then(only.resolve, only.reject);
      return;
    }
    const sql = taken.map((s) => s.sql).join(';\n');
    const values = taken.flatMap((s) => s.values);
    this.conn.query(sql, values).then(
      (results) => {
        for (const [i, s] of taken.entries()) s.resolve((results as unknown[])[i]);
      },
      (error: unknown) => {
        for (const s of taken) s.reject(error);
      },
    );
  }
}
