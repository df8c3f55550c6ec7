/**
 * The oracle: what the read model must hold, computed from the event store by the decider's fold
 * of each stream's events, opened with the streams' data keys, parsed and upcast by the catalogue
 * as the projection does.
 */
import { users } from '../../aggregates/users/index.js';
import { fold } from '../../lib/aggregate/decider.js';
import type { Pool } from '../../lib/db/pool.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import type { StoredEvent } from '../../lib/eventstore/types.js';
import { openEvents } from '../../lib/personal-data/events.js';
import { parseAll } from './aggregate-fixtures.js';
import { keyringOn } from './keyring.js';

export interface FoldedUser {
  userId: string;
  name: string;
  dateRegister: string;
  version: number;
  status: 'active' | 'deregistered' | 'erased';
}

/** Folds each stream's events from the write database. */
export async function foldStreams(commandPool: Pool, streamIds: string[]): Promise<Map<string, FoldedUser>> {
  const out = new Map<string, FoldedUser>();
  if (!streamIds.length) return out;
  const rows = (await commandPool.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id IN (?) ORDER BY stream_id, version`,
    [streamIds],
  )) as EventRow[];
  const byStream = new Map<string, StoredEvent[]>();
  for (const event of rows.map(rowToEvent)) {
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
  }
  const keyring = keyringOn(commandPool);
  for (const [streamId, sealed] of byStream) {
    const events = await openEvents(users, sealed, keyring);
    const state = fold(users.decider, parseAll(users, events));
    if (state.status === 'none') continue;
    out.set(streamId, {
      userId: streamId,
      name: state.name,
      dateRegister: state.dateRegister,
      version: events.length,
      status: state.status,
    });
  }
  return out;
}

/** The read model's rows for these users. */
export async function readModelRows(
  projectionPool: Pool,
  streamIds: string[],
): Promise<Map<string, FoldedUser>> {
  const out = new Map<string, FoldedUser>();
  if (!streamIds.length) return out;
  const rows = (await projectionPool.query(
    'SELECT USER_ID, NAME, DATE_REGISTER, VERSION, STATUS FROM USER_DATA WHERE USER_ID IN (?)',
    [streamIds],
  )) as Array<{
    USER_ID: string;
    NAME: string;
    DATE_REGISTER: string;
    VERSION: number;
    STATUS: FoldedUser['status'];
  }>;
  for (const r of rows) {
    out.set(r.USER_ID, {
      userId: r.USER_ID,
      name: r.NAME,
      dateRegister: r.DATE_REGISTER,
      version: Number(r.VERSION),
      status: r.STATUS,
    });
  }
  return out;
}
