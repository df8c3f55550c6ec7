/**
 * The oracle every scenario ends with. At rest (outbox drained, the projection's consumer group
 * caught up with the topic): every command answered 2xx has its event in the store; every stored
 * event was applied to the read model exactly once (applied_events audit); the read model equals
 * the fold of the event store; the write side's USER_DATA equals it too; no Idempotency-Key
 * produced two writes.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { readDbConfig, readKafkaConfig } from '../../../lib/config.js';
import { createPool, type Pool } from '../../../lib/db/pool.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../../lib/eventstore/rows.js';
import type { StoredEvent } from '../../../lib/eventstore/types.js';
import { createAdmin } from '../../../lib/kafka/client.js';
import type { KafkaAdmin } from '../../../lib/kafka/ports.js';
import { consumerLag } from '../../../lib/ops/lag.js';
import { ERASED_NAME } from '../../../aggregates/users/events.js';
import { users } from '../../../aggregates/users/index.js';
import { openEvents } from '../../../lib/personal-data/events.js';
import { foldStreams, readModelRows, type FoldedUser } from '../../support/fold.js';
import { keyringOn } from '../../support/keyring.js';
import { collectEnvelopes } from '../../support/kafka.js';
import type { Ack } from './client.js';
import { LOGS, PORTS } from './stack.js';
import { report, type ScenarioCounts } from './report.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Ledger {
  commands: number;
  acks: Ack[];
  streams: Iterable<string>;
}

type Row = Record<string, unknown>;

export class Oracle {
  /** Root on the write server, in the commands database. */
  readonly writeDb: Pool;
  /** Root on the read server, in the queries database. */
  readonly readDb: Pool;
  private admin: Promise<KafkaAdmin> | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    const admin = readDbConfig(env, 'admin');
    const names = { commands: env.COMMANDS_DB!, queries: env.QUERIES_DB! };
    this.writeDb = createPool(
      { ...admin, database: names.commands, connectionLimit: 3 },
      { acquireTimeout: 30000 },
    );
    this.readDb = createPool(
      { ...admin, port: PORTS.readDb, database: names.queries, connectionLimit: 3 },
      { acquireTimeout: 30000 },
    );
  }

  async close(): Promise<void> {
    await (await this.admin?.catch(() => undefined))?.disconnect();
    await Promise.all([this.writeDb.end(), this.readDb.end()]);
  }

  kafkaAdmin(): Promise<KafkaAdmin> {
    this.admin ??= (async () => {
      const admin = await createAdmin(readKafkaConfig(this.env), { quiet: true });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  async count(db: Pool, sql: string, params: unknown[] = []): Promise<number> {
    const [row] = (await db.query(sql, params)) as Row[];
    return Number(Object.values(row ?? { n: 0 })[0]);
  }

  /** Records on the topic not yet processed by the projection's consumer group. */
  async lag(): Promise<number> {
    const admin = await this.kafkaAdmin();
    return (await consumerLag(admin, this.env.PROJECTION_CONSUMER_GROUP!, this.env.KAFKA_TOPIC!)).total;
  }

  /** Events of these streams the read model has applied, by the applied-events audit. */
  async applied(streams: string[]): Promise<number> {
    return this.count(this.readDb, 'SELECT COUNT(*) FROM applied_events WHERE stream_id IN (?)', [streams]);
  }

  /**
   * Waits until the projection stops making progress short of `total` applied events of these
   * streams (a batch is held, on a row lock say) and returns how many it had applied by then.
   */
  async stalledShortOf(streams: string[], total: number, timeoutMs = 90000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    for (;;) {
      const now = await this.applied(streams);
      if (now !== last) [last, since] = [now, Date.now()];
      else if (now > 0 && now < total && Date.now() - since > 3000) return now;
      if (Date.now() > deadline) throw new Error(`the projection never stalled (${now} of ${total} applied)`);
      await sleep(100);
    }
  }

  /** Waits until the outbox is empty and the projection has processed every record on the topic. */
  async settle(timeoutMs = 120000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const outbox = await this.count(this.writeDb, 'SELECT COUNT(*) FROM outbox');
        const lag = await this.lag();
        if (outbox === 0 && lag === 0) return;
        last = `outbox ${outbox}, lag ${lag}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the stack did not settle in ${timeoutMs} ms (${last})`);
      await sleep(250);
    }
  }

  /** The stored events of these streams, their personal fields opened (erased ones read as erased). */
  async events(streamIds: string[]): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for (let i = 0; i < streamIds.length; i += 1000) {
      const rows = (await this.writeDb.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id IN (?)`, [
        streamIds.slice(i, i + 1000),
      ])) as EventRow[];
      out.push(...(await openEvents(users, rows.map(rowToEvent), keyringOn(this.writeDb))));
    }
    return out;
  }

  /** How many times the read model applied each event of these streams. */
  async applications(streamIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < streamIds.length; i += 1000) {
      const rows = (await this.readDb.query(
        'SELECT event_id, COUNT(*) AS n FROM applied_events WHERE stream_id IN (?) GROUP BY event_id',
        [streamIds.slice(i, i + 1000)],
      )) as Array<{ event_id: string; n: number }>;
      for (const r of rows) out.set(r.event_id, Number(r.n));
    }
    return out;
  }

  async allStreamIds(): Promise<string[]> {
    const rows = (await this.writeDb.query('SELECT DISTINCT stream_id FROM events')) as Array<{
      stream_id: string;
    }>;
    return rows.map((r) => r.stream_id);
  }

  /** Streams whose row (read or write side) differs from the fold of their events. */
  async foldMismatches(streamIds: string[]): Promise<{ read: number; write: number; rows: number }> {
    let read = 0;
    let write = 0;
    let rows = 0;
    for (let i = 0; i < streamIds.length; i += 1000) {
      const ids = streamIds.slice(i, i + 1000);
      const [expected, actual, writeSide] = await Promise.all([
        foldStreams(this.writeDb, ids),
        readModelRows(this.readDb, ids),
        readModelRows(this.writeDb, ids),
      ]);
      rows += actual.size;
      const same = (a: FoldedUser | undefined, b: FoldedUser | undefined) =>
        JSON.stringify(a) === JSON.stringify(b);
      for (const id of ids) {
        if (!same(expected.get(id), actual.get(id))) read++;
        if (!same(expected.get(id), writeSide.get(id))) write++;
      }
    }
    return { read, write, rows };
  }

  /** Everything known about streams the oracle found broken, printed and kept in the suite's logs. */
  async diagnose(scenario: string, streamIds: string[]): Promise<void> {
    const lines = [`[fault] ${scenario}: diagnosis of ${streamIds.join(', ')}`];
    const dump = async (label: string, db: Pool, sql: string) => {
      const rows = (await db.query(sql, [streamIds])) as Row[];
      lines.push(`  ${label}:`, ...rows.map((r) => `    ${JSON.stringify(r)}`));
    };
    await dump(
      'events',
      this.writeDb,
      'SELECT stream_id, version, position, event_id, type, metadata FROM events WHERE stream_id IN (?) ORDER BY stream_id, version',
    );
    await dump('outbox', this.writeDb, 'SELECT * FROM outbox WHERE stream_id IN (?)');
    await dump('read model', this.readDb, 'SELECT * FROM USER_DATA WHERE USER_ID IN (?)');
    await dump('applied', this.readDb, 'SELECT * FROM applied_events WHERE stream_id IN (?) ORDER BY id');
    await dump(
      'parked',
      this.readDb,
      'SELECT stream_id, version, event_id, parked_at FROM parked_events WHERE stream_id IN (?)',
    );
    await dump(
      'dead letters',
      this.readDb,
      'SELECT partition_no, offset_no, reason_code, reason FROM dead_letters WHERE record_key IN (?)',
    );
    const onTopic = await collectEnvelopes(streamIds, 0, { timeoutMs: 15000, settleMs: 5000 });
    lines.push(
      '  on the topic:',
      ...onTopic.map((e) => `    ${e.streamId} v${e.version} ${e.eventId} ${e.type}`),
    );
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    appendFileSync(path.join(LOGS, 'diagnosis.log'), text);
  }

  /**
   * Settles, checks everything the suite promises for the ledger's streams (and, more cheaply,
   * that the whole read model still equals the fold of the whole store), prints and returns the counts.
   */
  async check(
    scenario: string,
    ledger: Ledger,
    notes: Record<string, number | string> = {},
  ): Promise<ScenarioCounts & { failures: Record<string, number> }> {
    await this.settle();
    const streamIds = [...new Set(ledger.streams)];
    const events = await this.events(streamIds);
    const byVersion = new Map(events.map((e) => [`${e.streamId}#${e.version}`, e]));
    // An erased user's acknowledged names read as erased now: its events are checked by type and version.
    const erased = new Set(events.filter((e) => e.type === users.erasure).map((e) => e.streamId));
    let ackedMissing = 0;
    const missingAcks: string[] = [];
    for (const ack of ledger.acks) {
      const event = byVersion.get(`${ack.streamId}#${ack.version}`);
      const data = event?.data as { name?: string } | undefined;
      const nameDiffers =
        ack.name !== undefined &&
        data?.name !== ack.name &&
        !(erased.has(ack.streamId) && data?.name === ERASED_NAME);
      if (!event || event.type !== ack.type || nameDiffers) {
        ackedMissing++;
        missingAcks.push(ack.streamId);
        process.stdout.write(
          `[fault] ${scenario}: acknowledged ${JSON.stringify(ack)} but the store has ${JSON.stringify(
            event && { type: event.type, data: event.data, metadata: event.metadata },
          )}\n`,
        );
      }
    }
    const applications = await this.applications(streamIds);
    const stored = new Set(events.map((e) => e.eventId));
    const neverApplied = events.filter((e) => !applications.has(e.eventId)).length;
    const appliedTwice = [...applications.values()].filter((n) => n > 1).length;
    const appliedNotStored = [...applications.keys()].filter((id) => !stored.has(id)).length;
    const perKey = new Map<string, number>();
    for (const e of events) {
      const key = e.metadata.idempotencyKey;
      if (key) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const mismatches = await this.foldMismatches(streamIds);
    const all = await this.allStreamIds();
    const global = await this.foldMismatches(all);
    const globalTwice = await this.count(
      this.readDb,
      'SELECT COUNT(*) FROM (SELECT event_id FROM applied_events GROUP BY event_id HAVING COUNT(*) > 1) t',
    );
    const parkedAtRest = await this.count(this.readDb, 'SELECT COUNT(*) FROM parked_events');
    const failures = {
      ackedMissing,
      neverApplied,
      appliedTwice,
      appliedNotStored,
      storedTwice: [...perKey.values()].filter((n) => n > 1).length,
      readModelNotFold: mismatches.read,
      writeSideNotFold: mismatches.write,
      globalReadModelNotFold: global.read,
      globalAppliedTwice: globalTwice,
      parkedAtRest,
    };
    const counts: ScenarioCounts = {
      scenario,
      commands: ledger.commands,
      acknowledged: ledger.acks.length,
      eventsStored: events.length,
      readModelRows: mismatches.rows,
      lost: ackedMissing + neverApplied,
      appliedTwice,
      parked: parkedAtRest,
      notes,
    };
    report(counts);
    const broken = new Set([
      ...missingAcks,
      ...events
        .filter((e) => !applications.has(e.eventId) || applications.get(e.eventId)! > 1)
        .map((e) => e.streamId),
    ]);
    if (broken.size) await this.diagnose(scenario, [...broken].slice(0, 5));
    return { ...counts, failures };
  }
}

/** What every scenario asserts about the oracle's failures: all zero. */
export const NO_FAILURES = {
  ackedMissing: 0,
  neverApplied: 0,
  appliedTwice: 0,
  appliedNotStored: 0,
  storedTwice: 0,
  readModelNotFold: 0,
  writeSideNotFold: 0,
  globalReadModelNotFold: 0,
  globalAppliedTwice: 0,
  parkedAtRest: 0,
};
