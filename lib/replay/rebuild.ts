/**
 * Blue-green rebuild of the read model from the event store, while the live projection goes on.
 *
 * 1. Fresh tables (USER_DATA_rebuild, parked_events_rebuild) are filled from the event store in
 *    position order, in chunks; each chunk commits with the run's checkpoint, so an interrupted
 *    rebuild resumes where it stopped.
 * 2. One atomic RENAME TABLE swaps them in; the live projection's next batch writes the new tables.
 * 3. Reconcile: events committed since the last chunk, and any stream the old table had further
 *    along (events the live projection applied during the rebuild, including any that were not yet
 *    visible to the position scan), are applied to the new table from the event store. Versions make
 *    this idempotent against the live projection doing the same.
 */
import type { DatabaseNames } from '../config.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { rowToEvent } from '../eventstore/mariadb.js';
import { MariaDbProjectionStore, type ReadModelTables } from '../projection/mariadb.js';
import { EVENT_COLUMNS, recordFromStoredEvent, type EventRow } from './event-records.js';

export const REBUILD_TABLES: ReadModelTables = {
  users: 'USER_DATA_rebuild',
  parked: 'parked_events_rebuild',
};

export interface RebuildProgress {
  applied: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | undefined;
}

export interface RebuildOptions {
  chunkSize?: number;
  /** Keep the replaced tables as USER_DATA_old / parked_events_old instead of dropping them. */
  keepOld?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  /** Stops between chunks (the run stays resumable). */
  signal?: AbortSignal;
}

export type RebuildOutcome =
  | { outcome: 'swapped'; runId: number; resumedFrom: number; applied: number; reconciledStreams: number }
  | { outcome: 'interrupted'; runId: number; checkpoint: number };

interface Run {
  id: number;
  checkpoint: number;
  events_applied: number;
}

async function tableExists(pool: Pool, table: string): Promise<boolean> {
  const rows = (await pool.query(
    'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
    [table],
  )) as Array<{ n: number }>;
  return Number(rows[0]?.n) > 0;
}

/** Resumes the running rebuild if its tables survived, else starts one on fresh, empty tables. */
async function startOrResume(pool: Pool): Promise<Run> {
  const [running] = (await pool.query(
    "SELECT id, checkpoint, events_applied FROM read_model_rebuilds WHERE status = 'running' ORDER BY id DESC LIMIT 1",
  )) as Run[];
  if (
    running &&
    (await tableExists(pool, REBUILD_TABLES.users)) &&
    (await tableExists(pool, REBUILD_TABLES.parked))
  ) {
    return {
      id: Number(running.id),
      checkpoint: Number(running.checkpoint),
      events_applied: Number(running.events_applied),
    };
  }
  await pool.query("DELETE FROM read_model_rebuilds WHERE status = 'running'");
  await pool.query(`DROP TABLE IF EXISTS ${REBUILD_TABLES.users}, ${REBUILD_TABLES.parked}`);
  await pool.query(`CREATE TABLE ${REBUILD_TABLES.users} LIKE USER_DATA`);
  await pool.query(`CREATE TABLE ${REBUILD_TABLES.parked} LIKE parked_events`);
  const result = (await pool.query(
    "INSERT INTO read_model_rebuilds (status, checkpoint, started_at) VALUES ('running', 0, UTC_TIMESTAMP(3))",
  )) as { insertId: number };
  return { id: Number(result.insertId), checkpoint: 0, events_applied: 0 };
}

/**
 * Rebuilds the read model. `pool` is the operator role's pool on the queries database; events are
 * read from `names.commands` (a checked identifier).
 */
export async function rebuildReadModel(
  pool: Pool,
  names: DatabaseNames,
  options: RebuildOptions = {},
): Promise<RebuildOutcome> {
  const chunkSize = options.chunkSize ?? 2000;
  const events = `\`${names.commands}\`.events`;
  const lockName = `cqrs_rebuild_${names.queries}`;
  const lockConn = await pool.getConnection();
  try {
    const [lock] = (await lockConn.query('SELECT GET_LOCK(?, 0) AS got', [lockName])) as Array<{
      got: number;
    }>;
    if (Number(lock?.got) !== 1) throw new Error('Another rebuild of this read model is running.');

    const run = await startOrResume(pool);
    const resumedFrom = run.checkpoint;
    const rebuildStore = new MariaDbProjectionStore(pool, REBUILD_TABLES);
    const [{ total }] = (await pool.query(`SELECT COUNT(*) AS total FROM ${events}`)) as [{ total: number }];
    let checkpoint = run.checkpoint;
    let applied = Number(run.events_applied);
    const started = Date.now();
    let appliedThisRun = 0;

    for (;;) {
      if (options.signal?.aborted) return { outcome: 'interrupted', runId: run.id, checkpoint };
      const rows = (await pool.query(
        `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE position > ? ORDER BY position LIMIT ?`,
        [checkpoint, chunkSize],
      )) as EventRow[];
      if (rows.length === 0) break;
      const stored = rows.map(rowToEvent);
      const last = stored[stored.length - 1]!.position;
      await inTransaction(pool, async (conn) => {
        await rebuildStore.projectBatchIn(conn, stored.map(recordFromStoredEvent));
        await conn.query(
          'UPDATE read_model_rebuilds SET checkpoint = ?, events_applied = events_applied + ? WHERE id = ?',
          [last, stored.length, run.id],
        );
      });
      checkpoint = last;
      applied += stored.length;
      appliedThisRun += stored.length;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? appliedThisRun / seconds : 0;
      const totalNow = Math.max(Number(total), applied);
      options.onProgress?.({
        applied,
        total: totalNow,
        eventsPerSecond: rate,
        etaSeconds: rate > 0 ? (totalNow - applied) / rate : undefined,
      });
      if (rows.length < chunkSize) break;
    }

    await pool.query('DROP TABLE IF EXISTS USER_DATA_old, parked_events_old');
    await pool.query(
      `RENAME TABLE USER_DATA TO USER_DATA_old, ${REBUILD_TABLES.users} TO USER_DATA,
                    parked_events TO parked_events_old, ${REBUILD_TABLES.parked} TO parked_events`,
    );
    await pool.query(
      "UPDATE read_model_rebuilds SET status = 'swapped', swapped_at = UTC_TIMESTAMP(3) WHERE id = ?",
      [run.id],
    );
    const reconciledStreams = await reconcile(pool, events, checkpoint);
    if (!options.keepOld) await pool.query('DROP TABLE IF EXISTS USER_DATA_old, parked_events_old');
    return { outcome: 'swapped', runId: run.id, resumedFrom, applied, reconciledStreams };
  } finally {
    await lockConn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    await lockConn.release();
  }
}

/**
 * Brings the swapped-in table up to date: every stream the old table had further along, and every
 * stream with events after the checkpoint, gets its missing versions from the event store.
 */
async function reconcile(pool: Pool, events: string, checkpoint: number): Promise<number> {
  const behind = (await pool.query(
    `SELECT o.USER_ID AS id FROM USER_DATA_old o LEFT JOIN USER_DATA n ON n.USER_ID = o.USER_ID
      WHERE n.USER_ID IS NULL OR n.VERSION < o.VERSION`,
  )) as Array<{ id: string }>;
  const newer = (await pool.query(`SELECT DISTINCT stream_id AS id FROM ${events} WHERE position > ?`, [
    checkpoint,
  ])) as Array<{
    id: string;
  }>;
  const streams = [...new Set([...behind, ...newer].map((r) => r.id))];
  const live = new MariaDbProjectionStore(pool);
  for (let i = 0; i < streams.length; i += 200) {
    const ids = streams.slice(i, i + 200);
    const rows = (await pool.query(
      `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE stream_id IN (?) ORDER BY stream_id, version`,
      [ids],
    )) as EventRow[];
    await live.projectBatch(rows.map(rowToEvent).map(recordFromStoredEvent));
  }
  return streams.length;
}
