import type { AggregateDefinition, ReadView } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import type { Envelope } from '../bus/envelope.js';
import { classifyDbError, isDeadlock } from '../db/errors.js';
import { inTransaction, type Pool, type PoolConnection } from '../db/pool.js';
import {
  concatPlans,
  decodeBatch,
  envelopesOf,
  mergePartPlans,
  partsByStream,
  planBatch,
  streamIdsByAggregate,
  streamIdsOf,
  streamsWithSealedData,
  viewKey,
  type BatchPart,
  type BatchPlan,
  type DecodedRecord,
  type Upsert,
} from './plan.js';
import type { Keyring, StreamKey } from '../personal-data/keyring.js';
import type { DeadLetter, IncomingRecord } from './records.js';
import type { ProjectionStore } from './store.js';

const DEADLOCK_ATTEMPTS = 5;

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/** The tables a projection store writes; a rebuild writes fresh copies before they are swapped in. */
export interface ReadModelTables {
  /** Each aggregate's read-model table, by aggregate name. */
  views: Record<string, string>;
  parked: string;
}

/** The tables the live projection writes: each aggregate's own, and the shared parked events. */
export function liveTables(registry: Registry): ReadModelTables {
  return {
    views: Object.fromEntries(registry.aggregates.map((a) => [a.name, a.readModel.table])),
    parked: 'parked_events',
  };
}

export interface ProjectionStoreOptions {
  /** The data keys that open personal fields (the role's: keyringFor('projection'), or the operator's). */
  keyring: Keyring;
  /** Also record each applied event in `applied_events`, in the batch's transaction (PROJECTION_AUDIT). */
  auditApplied?: boolean;
}

/**
 * The read model in the queries database. One transaction per batch: lock the rows of the
 * batch's streams, plan in memory, then write with bulk statements. A transient database failure
 * rolls everything back and throws, so the whole batch is delivered again; a record the database
 * refuses is isolated and dead-lettered (see `projectBatch`), so data never fails a batch.
 */
export class MariaDbProjectionStore implements ProjectionStore {
  private readonly tables: ReadModelTables;

  /** `tables` are trusted identifiers (constants of the aggregates and this code), never input. */
  constructor(
    private readonly pool: Pool,
    private readonly registry: Registry,
    tables: ReadModelTables | undefined,
    private readonly options: ProjectionStoreOptions,
  ) {
    this.tables = tables ?? liveTables(registry);
  }

  /**
   * Applies the batch in one transaction. When the database refuses a value (`data` in
   * lib/db/errors.ts: too long, out of range, a constraint), retrying the batch could never
   * succeed and would block its partition: the batch is applied again in halves, each in its
   * own transaction and in delivery order, down to the single record the database refuses, which
   * is dead-lettered as DATABASE_REJECTED with the database's reason; the rest is applied.
   * Transient failures still throw, so the event source delivers the batch again.
   */
  async projectBatch(records: IncomingRecord[]): Promise<BatchPlan> {
    try {
      return await this.projectOnce(records);
    } catch (error) {
      if (classifyDbError(error) !== 'data') throw error;
      if (records.length === 1) return this.deadLetterRefused(records[0]!, error);
      const half = Math.ceil(records.length / 2);
      const first = await this.projectBatch(records.slice(0, half));
      return concatPlans(first, await this.projectBatch(records.slice(half)));
    }
  }

  /**
   * Concurrent batches of other partitions that register new users take gap locks on the same
   * index ranges, so InnoDB sometimes rolls one back as a deadlock victim. Nothing of it was
   * written; it is run again here at once rather than failed back to the event source, which
   * would redeliver the batch after a backoff.
   */
  private async projectOnce(records: IncomingRecord[]): Promise<BatchPlan> {
    // Decoded once, and the keys asked for while the transaction begins.
    const prepared = this.prepare(decodeBatch(records));
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, (conn) => this.projectPreparedIn(conn, prepared));
      } catch (error) {
        if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
      }
    }
  }

  private async deadLetterRefused(record: IncomingRecord, error: unknown): Promise<BatchPlan> {
    const letter: DeadLetter = {
      record,
      code: 'DATABASE_REJECTED',
      reason: `the read database refused this record: ${(error as Error).message}`,
    };
    const plan: BatchPlan = {
      outcomes: ['dead-lettered'],
      upserts: [],
      park: [],
      unpark: [],
      deadLetters: [letter],
      applied: [],
    };
    await inTransaction(this.pool, (conn) => write(conn, this.tables, plan, this.options));
    return plan;
  }

  /** The same, inside a transaction the caller owns. */
  async projectBatchIn(conn: PoolConnection, records: IncomingRecord[]): Promise<BatchPlan> {
    return this.projectPreparedIn(conn, this.prepare(decodeBatch(records)));
  }

  /**
   * A decoded batch with its streams' data keys already asked for (they live in the write
   * database, so they need no transaction here). A rebuild prepares its next chunk this way
   * while the current one is written.
   */
  prepare(batch: DecodedRecord[]): PreparedBatch {
    const ids = streamIdsOf(batch);
    const sealed = streamsWithSealedData(envelopesOf(batch));
    const keys = sealed.length
      ? this.options.keyring.keysFor(sealed)
      : Promise.resolve(new Map<string, StreamKey>());
    // A batch prepared but never projected (its run stopped) must not leave a rejection unhandled.
    keys.catch(() => undefined);
    return { batch, ids, keys };
  }

  /** Applies a prepared batch inside a transaction the caller owns (a rebuild also moves its checkpoint in it). */
  async projectPreparedIn(conn: PoolConnection, prepared: PreparedBatch): Promise<BatchPlan> {
    const { batch, ids } = prepared;
    const [views, parked, batchKeys] = ids.length
      ? await Promise.all([
          loadViews(conn, this.tables, streamIdsByAggregate(batch, this.registry)),
          loadParked(conn, this.tables, ids),
          prepared.keys,
        ])
      : [new Map<string, ReadView>(), new Map<string, Envelope[]>(), new Map<string, StreamKey>()];
    const keys = await this.withKeysOfParked(batchKeys, parked);
    // Each part's writes go out as soon as it is planned, so the next part is planned (its names
    // opened) while the database applies the one before.
    const parts = partsByStream(batch, Math.min(MAX_PARTS, Math.floor(batch.length / RECORDS_PER_PART)));
    const plans: BatchPlan[] = [];
    const writes: Promise<void>[] = [];
    for (const part of parts) {
      let plan: BatchPlan;
      try {
        plan = planBatch(part.records, { views, parked: parkedOf(parked, part), keys }, this.registry);
      } catch (error) {
        // The parts already sent end before the transaction is rolled back.
        await Promise.allSettled(writes);
        throw error;
      }
      plans.push(plan);
      const written = write(conn, this.tables, plan, this.options);
      // Awaited below, after the other parts are planned.
      written.catch(() => undefined);
      writes.push(written);
    }
    await allWritten(writes);
    return plans.length === 1 ? plans[0]! : mergePartPlans(parts, plans, batch.length);
  }

  /**
   * The batch's keys, plus those of streams whose parked events are sealed where the batch's own
   * events of that stream are not (a parked event is opened when its turn comes in this batch).
   */
  private async withKeysOfParked(
    keys: Map<string, StreamKey>,
    parked: Map<string, Envelope[]>,
  ): Promise<Map<string, StreamKey>> {
    if (!parked.size) return keys;
    const missing = streamsWithSealedData([...parked.values()].flat()).filter((id) => !keys.has(id));
    if (!missing.length) return keys;
    return new Map([...keys, ...(await this.options.keyring.keysFor(missing))]);
  }
}

/** A batch is planned and written in parts of at least this many records, at most MAX_PARTS. */
const RECORDS_PER_PART = 250;
const MAX_PARTS = 4;

/** The parked events of a part's streams only (a part must not settle another's). */
function parkedOf(parked: Map<string, Envelope[]>, part: BatchPart): Map<string, Envelope[]> {
  if (!parked.size) return parked;
  const own = new Map<string, Envelope[]>();
  for (const { decoded } of part.records) {
    if (!decoded.ok) continue;
    const waiting = parked.get(decoded.envelope.streamId);
    if (waiting) own.set(decoded.envelope.streamId, waiting);
  }
  return own;
}

/** Waits for every write, then throws the first failure (the transaction is then rolled back). */
async function allWritten(writes: Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(writes);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/** A batch decoded, with its stream ids and the promise of their data keys (MariaDbProjectionStore.prepare). */
export interface PreparedBatch {
  batch: DecodedRecord[];
  ids: string[];
  keys: Promise<Map<string, StreamKey>>;
}

/** Each aggregate's rows of the batch's streams, locked, keyed by viewKey. */
async function loadViews(
  conn: PoolConnection,
  tables: ReadModelTables,
  idsByAggregate: Map<AggregateDefinition, string[]>,
): Promise<Map<string, ReadView>> {
  const loaded = await Promise.all(
    [...idsByAggregate].map(async ([aggregate, ids]) => ({
      aggregate,
      rows: await aggregate.readModel.load(conn, tables.views[aggregate.name]!, ids),
    })),
  );
  const views = new Map<string, ReadView>();
  for (const { aggregate, rows } of loaded) {
    for (const [id, view] of rows) views.set(viewKey(aggregate.name, id), view);
  }
  return views;
}

/** Each aggregate's changed rows, upserted in its table. */
function upsertViews(conn: PoolConnection, tables: ReadModelTables, upserts: Upsert[]): Promise<unknown>[] {
  const byAggregate = new Map<AggregateDefinition, ReadView[]>();
  for (const { aggregate, view } of upserts) {
    const views = byAggregate.get(aggregate);
    if (views) views.push(view);
    else byAggregate.set(aggregate, [view]);
  }
  return [...byAggregate].map(([aggregate, views]) =>
    aggregate.readModel.upsert(conn, tables.views[aggregate.name]!, views),
  );
}

/**
 * The parked events of the batch's streams, locked. Nearly always nothing is parked anywhere, so
 * a locking read of the table's first row goes first: on an empty table it locks the whole index
 * range (no other transaction can park an event until this one ends), and the lookup by stream,
 * a thousand index probes for a batch of a thousand, is skipped. The probe travels in the same
 * pipelined burst as the load of the batch's rows; the lookup follows only when it finds a row.
 */
async function loadParked(
  conn: PoolConnection,
  tables: ReadModelTables,
  ids: string[],
): Promise<Map<string, Envelope[]>> {
  const any = (await conn.query(`SELECT 1 FROM ${tables.parked} LIMIT 1 FOR UPDATE`)) as unknown[];
  if (any.length === 0) return new Map();
  const rows = (await conn.query(
    `SELECT stream_id, envelope FROM ${tables.parked} WHERE stream_id IN (?) ORDER BY stream_id, version FOR UPDATE`,
    [ids],
  )) as Array<{ stream_id: string; envelope: unknown }>;
  const parked = new Map<string, Envelope[]>();
  for (const row of rows) {
    const list = parked.get(row.stream_id) ?? [];
    list.push(json(row.envelope) as Envelope);
    parked.set(row.stream_id, list);
  }
  return parked;
}

async function write(
  conn: PoolConnection,
  tables: ReadModelTables,
  plan: BatchPlan,
  options: ProjectionStoreOptions,
): Promise<void> {
  const writes: Promise<unknown>[] = [];
  if (options.auditApplied && plan.applied.length) {
    writes.push(
      conn.batch(
        `INSERT INTO applied_events (event_id, stream_id, version, partition_no, offset_no, applied_at)
         VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
        plan.applied.map(({ envelope, record }) => [
          envelope.eventId,
          envelope.streamId,
          envelope.version,
          record.partition,
          record.offset,
        ]),
      ),
    );
  }
  if (plan.upserts.length) writes.push(...upsertViews(conn, tables, plan.upserts));
  if (plan.park.length) {
    writes.push(
      conn.batch(
        `INSERT IGNORE INTO ${tables.parked} (stream_id, version, event_id, envelope, parked_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))`,
        plan.park.map((e) => [e.streamId, e.version, e.eventId, JSON.stringify(e)]),
      ),
    );
  }
  if (plan.unpark.length) {
    writes.push(
      conn.batch(
        `DELETE FROM ${tables.parked} WHERE stream_id = ? AND version = ?`,
        plan.unpark.map((p) => [p.streamId, p.version]),
      ),
    );
  }
  if (plan.deadLetters.length) {
    writes.push(
      conn.batch(
        `INSERT IGNORE INTO dead_letters
           (topic, partition_no, offset_no, record_key, record_value, headers, reason_code, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))`,
        plan.deadLetters.map(({ record, code, reason }) => [
          record.topic,
          record.partition,
          record.offset,
          record.key,
          record.value,
          JSON.stringify(record.headers),
          code,
          reason.slice(0, 2000),
        ]),
      ),
    );
  }
  await allWritten(writes);
}
