/**
 * What one command leaves behind at rest, per table: the growth of each table's data and indexes
 * (InnoDB's figures after ANALYZE TABLE) over `count` registrations with an Idempotency-Key,
 * projected to the read model, divided by `count`, for the tables whose rows stay. InnoDB allocates whole 16 KiB pages, so the
 * figure is good to a few bytes only for a few thousand commands or more.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mariadb';
import type { Pool } from '../../lib/db/pool.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import { recordFromStoredEvent } from '../../lib/rebuild/event-records.js';
import { buildKafkaEvent } from '../../plugins/serverless-offline-kafka/kafka-event.js';
import { apiEvent, lambdaContext } from '../../test/support/apigw.js';
import { closedLoop } from '../support/load.js';

type Invokable = (event: never, context: never) => Promise<{ statusCode: number }>;

export interface TableSize {
  bytes: number;
  rows: number;
}

/** Each base table's data and indexes (after ANALYZE TABLE) and its row count, keyed `db.table`. */
export async function tableSizes(conn: Connection, databases: string[]): Promise<Map<string, TableSize>> {
  const tables = (await conn.query(
    `SELECT table_schema AS db, table_name AS name FROM information_schema.tables
      WHERE table_schema IN (?) AND table_type = 'BASE TABLE'`,
    [databases],
  )) as Array<{ db: string; name: string }>;
  for (const t of tables) await conn.query(`ANALYZE TABLE \`${t.db}\`.\`${t.name}\``);
  const rows = (await conn.query(
    `SELECT table_schema AS db, table_name AS name, data_length + index_length AS bytes
       FROM information_schema.tables WHERE table_schema IN (?) AND table_type = 'BASE TABLE'`,
    [databases],
  )) as Array<{ db: string; name: string; bytes: number }>;
  const out = new Map<string, TableSize>();
  for (const r of rows) {
    const [{ n }] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${r.db}\`.\`${r.name}\``)) as [
      { n: number },
    ];
    out.set(`${r.db}.${r.name}`, { bytes: Number(r.bytes), rows: Number(n) });
  }
  return out;
}

export async function footprint(options: {
  admin: Connection;
  /** Reads the new events back (a pool of the project's, with its date handling). */
  events: Pool;
  databases: { commands: string; queries: string };
  command: Invokable;
  projection: (event: unknown) => Promise<unknown>;
  count: number;
}): Promise<Record<string, number>> {
  const { admin, databases, count } = options;
  const names = [databases.commands, databases.queries];
  const before = await tableSizes(admin, names);
  const [{ last }] = (await admin.query(
    `SELECT COALESCE(MAX(position), 0) AS last FROM \`${databases.commands}\`.events`,
  )) as [{ last: number }];
  const load = await closedLoop({
    concurrency: 16,
    durationMs: 600000,
    maxOps: count,
    op: async (i) => {
      const event = apiEvent({
        method: 'POST',
        path: '/users',
        body: { name: `Footprint User ${i}` },
        headers: { 'idempotency-key': randomUUID() },
      });
      const res = await options.command(event as never, lambdaContext() as never);
      if (res.statusCode !== 201) throw new Error(`POST /users answered ${res.statusCode}`);
    },
  });
  if (load.errors) throw new Error(`footprint: ${load.errors} commands failed: ${load.firstError}`);
  const rows = (await options.events.query(
    `SELECT ${EVENT_COLUMNS} FROM \`${databases.commands}\`.events WHERE position > ? ORDER BY position`,
    [last],
  )) as EventRow[];
  const records = rows.map(rowToEvent).map(recordFromStoredEvent);
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500).map((r) => ({ ...r, timestamp: String(r.timestamp) }));
    await options.projection(buildKafkaEvent({ eventSource: 'aws:kafka', bootstrapServers: 'bench' }, batch));
  }
  const after = await tableSizes(admin, names);
  // A table whose rows do not stay (the outbox) keeps nothing at rest, though InnoDB keeps the
  // pages its deleted rows used for a while.
  const perCommand: Record<string, number> = {};
  for (const [table, size] of after) {
    const was = before.get(table) ?? { bytes: 0, rows: 0 };
    if (size.rows > was.rows) perCommand[table] = Math.max(0, Math.round((size.bytes - was.bytes) / count));
  }
  return perCommand;
}
