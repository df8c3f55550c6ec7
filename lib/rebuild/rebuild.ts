/**
 * Blue-green rebuild of the read model from the event store, while the live projection goes on.
 *
 * 1. Fresh tables (each aggregate's read-model table and parked_events, suffixed `_rebuild`) are
 *    filled from the event store in
 *    position order, in chunks; each chunk commits with the run's checkpoint, so an interrupted
 *    rebuild resumes where it stopped.
 * 2. One atomic RENAME TABLE swaps them in; the live projection's next batch writes the new tables.
 * 3. Reconcile: events committed since the last chunk, and any stream the old table had further
 *    along (events the live projection applied during the rebuild, including any that were not yet
 *    visible to the position scan), are applied to the new table from the event store. Versions make
 *    this idempotent against the live projection doing the same.
 */
import type { Registry } from '../aggregate/registry.js';
import type { DatabaseNames } from '../config.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { AppError } from '../errors.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../eventstore/rows.js';
import type { Keyring } from '../personal-data/keyring.js';
import {
  liveTables,
  MariaDbProjectionStore,
  type PreparedBatch,
  type ReadModelTables,
} from '../projection/mariadb.js';
import { decodedFromStoredEvent, recordFromStoredEvent } from './event-records.js';

/** The live tables with this suffix: the rebuild's fresh copies, and the replaced ones kept after a swap. */
function suffixed(tables: ReadModelTables, suffix: string): ReadModelTables {
  return {
    views: Object.fromEntries(Object.entries(tables.views).map(([name, table]) => [name, table + suffix])),
    parked: tables.parked + suffix,
  };
}

const allTables = (tables: ReadModelTables): string[] => [...Object.values(tables.views), tables.parked];

export interface RebuildProgress {
  applied: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | undefined;
}

export interface RebuildOptions {
  /** The operator's data keys (keyringFor('operator')): the events' personal fields are opened with them. */
  keyring: Keyring;
  chunkSize?: number;
  /** Keep the replaced tables (suffixed `_old`) instead of dropping them. */
  keepOld?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  /** Stops between chunks (the run stays resumable). */
  signal?: AbortSignal;
}

export type RebuildOutcome =
  | { outcome: 'swapped'; runId: number; resumedFrom: number; applied: number; reconciledStreams: number }
  | { outcome: 'interrupted'; runId: number; checkpoint: number };

/** One chunk of the event store, read ahead and prepared for the projection store. */
interface Chunk {
  /** The position of its last event. */
  last: number;
  prepared: PreparedBatch;
}

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
async function startOrResume(pool: Pool, live: ReadModelTables, fresh: ReadModelTables): Promise<Run> {
  const [running] = (await pool.query(
    "SELECT id, checkpoint, events_applied FROM read_model_rebuilds WHERE status = 'running' ORDER BY id DESC LIMIT 1",
  )) as Run[];
  const survived = async () => {
    for (const table of allTables(fresh)) if (!(await tableExists(pool, table))) return false;
    return true;
  };
  if (running && (await survived())) {
    return {
      id: Number(running.id),
      checkpoint: Number(running.checkpoint),
      events_applied: Number(running.events_applied),
    };
  }
  await pool.query("DELETE FROM read_model_rebuilds WHERE status = 'running'");
  await pool.query(`DROP TABLE IF EXISTS ${allTables(fresh).join(', ')}`);
  const liveNames = allTables(live);
  for (const [i, table] of allTables(fresh).entries()) {
    await pool.query(`CREATE TABLE ${table} LIKE ${liveNames[i]}`);
  }
  const result = (await pool.query(
    "INSERT INTO read_model_rebuilds (status, checkpoint, started_at) VALUES ('running', 0, UTC_TIMESTAMP(3))",
  )) as { insertId: number };
  return { id: Number(result.insertId), checkpoint: 0, events_applied: 0 };
}

/**
 * Rebuilds the read model of every aggregate in the registry. `pool` is the operator role's pool
 * on the queries database; events are read from `names.commands` (a checked identifier).
 */
export async function rebuildReadModel(
  pool: Pool,
  registry: Registry,
  names: DatabaseNames,
  options: RebuildOptions,
): Promise<RebuildOutcome> {
  const live = liveTables(registry);
  const fresh = suffixed(live, '_rebuild');
  const old = suffixed(live, '_old');
  const chunkSize = options.chunkSize ?? 10000;
  const events = `\`${names.commands}\`.events`;
  const lockName = `cqrs_rebuild_${names.queries}`;
  const lockConn = await pool.getConnection();
  try {
    const [lock] = (await lockConn.query('SELECT GET_LOCK(?, 0) AS got', [lockName])) as Array<{
      got: number;
    }>;
    if (Number(lock?.got) !== 1)
      throw new AppError(
        'REBUILD_RUNNING',
        'Another rebuild of this read model is running; wait for it to end.',
      );

    const run = await startOrResume(pool, live, fresh);
    const resumedFrom = run.checkpoint;
    const rebuildStore = new MariaDbProjectionStore(pool, registry, fresh, { keyring: options.keyring });
    const [{ total }] = (await pool.query(`SELECT COUNT(*) AS total FROM ${events}`)) as [{ total: number }];
    let checkpoint = run.checkpoint;
    let applied = Number(run.events_applied);
    const started = Date.now();
    let appliedThisRun = 0;

    /** The chunk after `after`, decoded with its data keys asked for (an empty chunk: the end). */
    const readChunk = (after: number): Promise<Chunk> => {
      const chunk = (
        pool.query(`SELECT ${EVENT_COLUMNS} FROM ${events} WHERE position > ? ORDER BY position LIMIT ?`, [
          after,
          chunkSize,
        ]) as Promise<EventRow[]>
      ).then((rows) => {
        const stored = rows.map(rowToEvent);
        return {
          last: stored[stored.length - 1]?.position ?? after,
          prepared: rebuildStore.prepare(stored.map(decodedFromStoredEvent)),
        };
      });
      // A read ahead that is never awaited (the run stopped or failed) must not go unhandled.
      chunk.catch(() => undefined);
      return chunk;
    };
    let next: Promise<Chunk> | undefined = readChunk(checkpoint);
    while (next) {
      if (options.signal?.aborted) return { outcome: 'interrupted', runId: run.id, checkpoint };
      const chunk: Chunk = await next;
      const { last, prepared } = chunk;
      const size: number = prepared.batch.length;
      if (size === 0) break;
      // The next chunk is read, decoded and its keys unwrapped while this one is written.
      next = size < chunkSize ? undefined : readChunk(last);
      await inTransaction(pool, async (conn) => {
        await rebuildStore.projectPreparedIn(conn, prepared);
        await conn.query(
          'UPDATE read_model_rebuilds SET checkpoint = ?, events_applied = events_applied + ? WHERE id = ?',
          [last, size, run.id],
        );
      });
      checkpoint = last;
      applied += size;
      appliedThisRun += size;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? appliedThisRun / seconds : 0;
      const totalNow = Math.max(Number(total), applied);
      options.onProgress?.({
        applied,
        total: totalNow,
        eventsPerSecond: rate,
        etaSeconds: rate > 0 ? (totalNow - applied) / rate : undefined,
      });
    }

    await pool.query(`DROP TABLE IF EXISTS ${allTables(old).join(', ')}`);
    const [liveNames, freshNames, oldNames] = [allTables(live), allTables(fresh), allTables(old)];
    await pool.query(
      `RENAME TABLE ${liveNames.map((table, i) => `${table} TO ${oldNames[i]}, ${freshNames[i]} TO ${table}`).join(', ')}`,
    );
    await pool.query(
      "UPDATE read_model_rebuilds SET status = 'swapped', swapped_at = UTC_TIMESTAMP(3) WHERE id = ?",
      [run.id],
    );
    const reconciledStreams = await reconcile(pool, registry, events, checkpoint, options.keyring);
    if (!options.keepOld) await pool.query(`DROP TABLE IF EXISTS ${allTables(old).join(', ')}`);
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
async function reconcile(
  pool: Pool,
  registry: Registry,
  events: string,
  checkpoint: number,
  keyring: Keyring,
): Promise<number> {
  const behind: Array<{ id: string }> = [];
  for (const { readModel } of registry.aggregates) {
    const { table, idColumn: id, versionColumn: version } = readModel;
    behind.push(
      ...((await pool.query(
        `SELECT o.${id} AS id FROM ${table}_old o LEFT JOIN ${table} n ON n.${id} = o.${id}
          WHERE n.${id} IS NULL OR n.${version} < o.${version}`,
      )) as Array<{ id: string }>),
    );
  }
  const newer = (await pool.query(`SELECT DISTINCT stream_id AS id FROM ${events} WHERE position > ?`, [
    checkpoint,
  ])) as Array<{
    id: string;
  }>;
  const streams = [...new Set([...behind, ...newer].map((r) => r.id))];
  const live = new MariaDbProjectionStore(pool, registry, undefined, { keyring });
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
