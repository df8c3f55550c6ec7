/**
 * One stream as the console shows it: its events in version order, each with the Kafka partition
 * and offset it was applied from where the projection's audit recorded them (PROJECTION_AUDIT=applied),
 * beside the aggregate's write-side row and read-model row with their versions. Personal fields,
 * sealed at rest, are shown opened with the operator's keys (an erased user's as erased). The
 * aggregate's tables and columns come from the registry (trusted identifiers, never input).
 */
import type { Queryable } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import type { DatabaseNames } from '../config.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../eventstore/rows.js';
import { openEvents } from '../personal-data/events.js';
import type { Keyring } from '../personal-data/keyring.js';

export interface StreamEvent {
  position: number;
  eventId: string;
  version: number;
  type: string;
  occurredAt: string;
  schemaVersion: number;
  metadata: Record<string, unknown>;
  data: unknown;
  /** Where the projection read it, when the audit recorded it. */
  kafka: { partition: number; offset: string } | null;
}

export interface StreamRow {
  table: string;
  version: number | null;
  row: Record<string, unknown>;
}

export interface StreamView {
  streamId: string;
  aggregate: string | null;
  streamType: string | null;
  events: StreamEvent[];
  /** The write side's current-state row (null when the aggregate keeps none, or it has no row). */
  writeRow: StreamRow | null;
  readRow: StreamRow | null;
  /** Whether any event's partition and offset are known (the audit is on). */
  offsetsRecorded: boolean;
}

/** At most this many events are shown for one stream, the first ones. */
export const STREAM_EVENT_LIMIT = 1000;

async function rowOf(
  db: Queryable,
  table: string,
  idColumn: string,
  versionColumn: string,
  streamId: string,
): Promise<StreamRow | null> {
  const [row] = (await db.query(`SELECT * FROM ${table} WHERE ${idColumn} = ? LIMIT 1`, [streamId])) as Array<
    Record<string, unknown>
  >;
  if (!row) return null;
  const version = row[versionColumn];
  return { table, version: version === undefined || version === null ? null : Number(version), row };
}

async function kafkaPositions(
  db: Queryable,
  eventIds: string[],
): Promise<Map<string, { partition: number; offset: string }>> {
  if (!eventIds.length) return new Map();
  const rows = (await db.query(
    `SELECT event_id, partition_no, offset_no FROM applied_events WHERE event_id IN (?) ORDER BY id`,
    [eventIds],
  )) as Array<{ event_id: string; partition_no: number; offset_no: number | string }>;
  const found = new Map<string, { partition: number; offset: string }>();
  for (const r of rows) {
    if (!found.has(r.event_id))
      found.set(r.event_id, { partition: Number(r.partition_no), offset: String(r.offset_no) });
  }
  return found;
}

/**
 * `db` reads the event store and the write model (`names.commands`) and the read database (its
 * default schema): the operator role. Undefined when the stream has no events.
 */
export async function readStream(
  db: Queryable,
  registry: Registry,
  names: DatabaseNames,
  streamId: string,
  keyring: Keyring,
): Promise<StreamView | undefined> {
  const rows = (await db.query(
    `SELECT ${EVENT_COLUMNS} FROM \`${names.commands}\`.events WHERE stream_id = ? ORDER BY version LIMIT ?`,
    [streamId, STREAM_EVENT_LIMIT],
  )) as EventRow[];
  if (!rows.length) return undefined;
  const first = rowToEvent(rows[0]!);
  const resolved = registry.resolve({ type: first.type, streamType: first.streamType });
  const aggregate = 'aggregate' in resolved ? resolved.aggregate : undefined;
  const stored = aggregate
    ? await openEvents(aggregate, rows.map(rowToEvent), keyring)
    : rows.map(rowToEvent);
  const positions = await kafkaPositions(
    db,
    stored.map((e) => e.eventId),
  );
  const events = stored.map((e): StreamEvent => ({
    position: e.position,
    eventId: e.eventId,
    version: e.version,
    type: e.type,
    occurredAt: e.occurredAt,
    schemaVersion: Number(e.metadata.schemaVersion ?? 1),
    metadata: e.metadata as Record<string, unknown>,
    data: e.data,
    kafka: positions.get(e.eventId) ?? null,
  }));
  let writeRow: StreamRow | null = null;
  let readRow: StreamRow | null = null;
  if (aggregate) {
    const { readModel, writeModel } = aggregate;
    readRow = await rowOf(db, readModel.table, readModel.idColumn, readModel.versionColumn, streamId);
    if (writeModel) {
      writeRow = await rowOf(
        db,
        `\`${names.commands}\`.${writeModel.table}`,
        writeModel.idColumn ?? readModel.idColumn,
        writeModel.versionColumn ?? readModel.versionColumn,
        streamId,
      );
      if (writeRow) writeRow.table = writeModel.table;
    }
  }
  return {
    streamId,
    aggregate: aggregate?.name ?? null,
    streamType: first.streamType ?? aggregate?.streamType ?? null,
    events,
    writeRow,
    readRow,
    offsetsRecorded: positions.size > 0,
  };
}
