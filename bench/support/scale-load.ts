/**
 * Bulk-loads a user history (scale-history.ts) into the benchmark's databases in the rows the
 * command and projection functions write: each stream's data key wrapped by the local master key
 * in personal_data_keys, its events with the name sealed by that key (as the command function
 * seals it), the write side's USER_DATA and the read model's USER_DATA as they stand after the
 * last event. Each block is inserted with the connector's bulk batch() over one connection per
 * table, while the next block is generated.
 */
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { Connection } from 'mariadb';
import type { EventCatalogue } from '../../lib/aggregate/catalogue.js';
import { toSqlDateTime } from '../../lib/db/datetime.js';
import type { EventMetadata } from '../../lib/eventstore/types.js';
import { sealData } from '../../lib/personal-data/fields.js';
import { keyObjectOf, type KeyWrapper } from '../../lib/personal-data/key-wrapping.js';
import { userHistory, type HistoryBlock, type UserEventType } from './scale-history.js';

export interface LoadTarget {
  /** Four connections: keys, events and write model on the commands database, read model on the queries one. */
  keys: Connection;
  events: Connection;
  writeModel: Connection;
  readModel: Connection;
  wrapper: KeyWrapper;
  catalogue: EventCatalogue;
}

export interface LoadSummary {
  events: number;
  streams: number;
  byType: Record<UserEventType, number>;
  seconds: number;
  /** Up to `sampleSize` ids of users left active, drawn from the whole load, for reads. */
  activeSample: string[];
}

const KEY_INSERT =
  'INSERT INTO personal_data_keys (stream_id, wrapped_key, wrapped_by, created_at) VALUES (?, ?, ?, ?)';
const EVENT_INSERT =
  'INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const WRITE_MODEL_INSERT =
  'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS) VALUES (?, ?, ?, ?, ?)';
const READ_MODEL_INSERT =
  'INSERT INTO USER_DATA (USER_ID, NAME, DATE_REGISTER, VERSION, STATUS, UPDATED_AT) VALUES (?, ?, ?, ?, ?, ?)';

/** What a traced command writes as an event's metadata. */
function metadataOf(catalogue: EventCatalogue, type: string): EventMetadata {
  const requestId = randomUUID();
  return {
    requestId,
    correlationId: requestId,
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    schemaVersion: catalogue[type]?.version ?? 1,
  };
}

/** The rows of one block, its names sealed with fresh per-stream keys. */
async function rowsOf(block: HistoryBlock, target: LoadTarget) {
  const keys = new Map<string, KeyObject>();
  const keyRows: unknown[][] = [];
  for (const user of block.users) {
    const key = await target.wrapper.generate(user.userId);
    keys.set(user.userId, keyObjectOf(key.plaintext));
    keyRows.push([user.userId, key.wrapped, target.wrapper.kind, toSqlDateTime(user.dateRegister)]);
  }
  const eventRows = block.events.map((e) => {
    const plain =
      e.type === 'UserRegistered'
        ? { name: e.name, dateRegister: e.occurredAt }
        : e.type === 'UserRenamed'
          ? { name: e.name }
          : {};
    const data = sealData(target.catalogue, e.type, e.streamId, plain, keys.get(e.streamId)!);
    return [
      randomUUID(),
      e.streamId,
      'user',
      e.version,
      e.type,
      JSON.stringify(data),
      JSON.stringify(metadataOf(target.catalogue, e.type)),
      toSqlDateTime(e.occurredAt),
    ];
  });
  const lastAt = toSqlDateTime(block.events.at(-1)!.occurredAt);
  const writeRows = block.users.map((u) => [u.name, u.dateRegister, u.userId, u.version, u.status]);
  const readRows = block.users.map((u) => [u.userId, u.name, u.dateRegister, u.version, u.status, lastAt]);
  return { keyRows, eventRows, writeRows, readRows };
}

/**
 * Loads `count` events of history (`offset` events already loaded before: it shifts the seed and
 * the clock, so a second load continues the first). `onProgress` is told the events loaded so far.
 */
export async function loadUserHistory(
  target: LoadTarget,
  options: { count: number; offset?: number; sampleSize?: number; onProgress?: (loaded: number) => void },
): Promise<LoadSummary> {
  const offset = options.offset ?? 0;
  const sampleSize = options.sampleSize ?? 10000;
  const started = performance.now();
  const summary: LoadSummary = {
    events: 0,
    streams: 0,
    byType: { UserRegistered: 0, UserRenamed: 0, UserDeregistered: 0 },
    seconds: 0,
    activeSample: [],
  };
  // A uniform sample of the active users over the whole load (reservoir sampling).
  let active = 0;
  const sample = (id: string) => {
    active++;
    if (summary.activeSample.length < sampleSize) summary.activeSample.push(id);
    else if (Math.random() * active < sampleSize)
      summary.activeSample[Math.floor(Math.random() * sampleSize)] = id;
  };
  let inserting: Promise<unknown> = Promise.resolve();
  for (const block of userHistory(options.count, offset + 1, Date.UTC(2025, 0, 1) + offset * 20)) {
    const rows = await rowsOf(block, target);
    await inserting;
    inserting = Promise.all([
      target.keys.batch(KEY_INSERT, rows.keyRows),
      target.events.batch(EVENT_INSERT, rows.eventRows),
      target.writeModel.batch(WRITE_MODEL_INSERT, rows.writeRows),
      target.readModel.batch(READ_MODEL_INSERT, rows.readRows),
    ]);
    const before = summary.events;
    summary.events += block.events.length;
    summary.streams += block.users.length;
    for (const e of block.events) summary.byType[e.type]++;
    for (const u of block.users) if (u.status === 'active') sample(u.userId);
    if (Math.floor(summary.events / 100000) > Math.floor(before / 100000))
      options.onProgress?.(summary.events);
  }
  await inserting;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
