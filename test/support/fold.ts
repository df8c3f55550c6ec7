/** The oracle: what the read model must hold, computed from the event store by the decider's fold. */
import { fold } from '../../lib/domain/decider.js';
import { userDecider } from '../../lib/domain/user/decider.js';
import type { UserEvent } from '../../lib/domain/user/events.js';
import type { Pool } from '../../lib/db/pool.js';
import { rowToEvent } from '../../lib/eventstore/mariadb.js';

export interface FoldedUser {
  userId: string;
  name: string;
  dateRegister: string;
  version: number;
  status: 'active' | 'deregistered';
}

/** Folds each stream's events from the write database. */
export async function foldStreams(commandPool: Pool, streamIds: string[]): Promise<Map<string, FoldedUser>> {
  const out = new Map<string, FoldedUser>();
  if (!streamIds.length) return out;
  const rows = (await commandPool.query(
    'SELECT position, event_id, stream_id, version, type, data, metadata, occurred_at FROM events WHERE stream_id IN (?) ORDER BY stream_id, version',
    [streamIds],
  )) as Parameters<typeof rowToEvent>[0][];
  const byStream = new Map<string, ReturnType<typeof rowToEvent>[]>();
  for (const event of rows.map(rowToEvent)) {
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
  }
  for (const [streamId, events] of byStream) {
    const state = fold(userDecider, events as unknown as UserEvent[]);
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
