/**
 * The latest read-model rebuild as the console shows it, read from read_model_rebuilds (the run's
 * checkpoint table), so a rebuild started by `npm run rebuild` shows as well as one the console
 * started: events applied against the events in the store.
 */
import type { Queryable } from '../aggregate/definition.js';
import type { DatabaseNames } from '../config.js';
import { fromSqlDateTime } from '../db/datetime.js';

export interface RebuildStatus {
  runId: number;
  status: 'running' | 'swapped';
  applied: number;
  total: number;
  startedAt: string;
  swappedAt: string | null;
}

export async function latestRebuild(db: Queryable, names: DatabaseNames): Promise<RebuildStatus | null> {
  const [run] = (await db.query(
    'SELECT id, status, events_applied, started_at, swapped_at FROM read_model_rebuilds ORDER BY id DESC LIMIT 1',
  )) as Array<{
    id: number;
    status: 'running' | 'swapped';
    events_applied: number;
    started_at: string;
    swapped_at: string | null;
  }>;
  if (!run) return null;
  const [{ total }] = (await db.query(`SELECT COUNT(*) AS total FROM \`${names.commands}\`.events`)) as [
    { total: number },
  ];
  const applied = Number(run.events_applied);
  return {
    runId: Number(run.id),
    status: run.status,
    applied,
    total: run.status === 'swapped' ? applied : Math.max(Number(total), applied),
    startedAt: fromSqlDateTime(run.started_at),
    swappedAt: run.swapped_at === null ? null : fromSqlDateTime(run.swapped_at),
  };
}
