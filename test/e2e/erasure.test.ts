/**
 * Erasing a person from the append-only log, as a user does it: a name with a unique marker is
 * registered and renamed over HTTP through `sls offline`; no copy of it outside the read model
 * (the topic read whole by kcat, events, outbox, dead letters, parked events) holds the marker;
 * after POST /users/{id}/erasure the read side answers 410 without it, and neither
 * `npm run replay` (the rebuild) nor `npm run dlq -- redrive` of an old dead letter brings it back.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { registry } from '../../aggregates/index.js';
import { toMessage } from '../../lib/bus/envelope.js';
import { closeCommandDeps } from '../../lib/commands/deps.js';
import { closePools } from '../../lib/db/pool.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { ROOT } from '../../infra/paths.js';
import { invoke } from '../support/apigw.js';
import { commandWithBrokerDown, relayPass } from '../support/broker-down.js';
import { kafkaConfig, rolePool } from '../support/env.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';

const run = promisify(execFile);
const pools = {
  command: rolePool('command'),
  relay: rolePool('relay'),
  projection: rolePool('projection'),
  operator: rolePool('operator'),
};
const marker = `Zq${randomBytes(6).toString('hex')}`;
let server: OfflineServer;

beforeAll(async () => {
  server = await startOffline({ httpPort: 3200, lambdaPort: 3202, consumerGroup: `erasure-${randomUUID()}` });
}, 150000);

afterAll(async () => {
  await server?.stop();
  await closeCommandDeps();
  await closePools();
  await Promise.all(Object.values(pools).map((p) => p.end()));
});

const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  requestJson(server.url, method, path, body, headers);

const readAt = (id: string, version: number) =>
  eventually(
    async () => {
      const res = await http('GET', `/users/${id}?minVersion=${version}`);
      return res.status === 200 || res.status === 410 ? res : undefined;
    },
    20000,
    `user ${id} at version ${version}`,
  );

/** Rows of the write side's copies that hold the text: events, outbox, idempotency records. */
async function writeSideHits(text: string): Promise<number> {
  const like = `%${text}%`;
  const [row] = (await pools.command.query(
    `SELECT (SELECT COUNT(*) FROM events WHERE data LIKE ? OR metadata LIKE ?)
          + (SELECT COUNT(*) FROM outbox WHERE stream_id LIKE ? OR COALESCE(last_error, '') LIKE ?)
          + (SELECT COUNT(*) FROM idempotency_keys WHERE response_body LIKE ? OR idempotency_key LIKE ?) AS n`,
    [like, like, like, like, like, like],
  )) as Array<{ n: number }>;
  return Number(row!.n);
}

/** Rows of the read side's raw copies that hold the text: dead letters and parked events. */
async function rawReadSideHits(text: string): Promise<number> {
  const like = `%${text}%`;
  const [row] = (await pools.operator.query(
    `SELECT (SELECT COUNT(*) FROM dead_letters WHERE record_value LIKE ? OR reason LIKE ? OR headers LIKE ?)
          + (SELECT COUNT(*) FROM parked_events WHERE envelope LIKE ?) AS n`,
    [like, like, like, like],
  )) as Array<{ n: number }>;
  return Number(row!.n);
}

async function readModelRow(id: string) {
  const [row] = (await pools.operator.query('SELECT NAME, STATUS, VERSION FROM USER_DATA WHERE USER_ID = ?', [
    id,
  ])) as Array<{ NAME: string; STATUS: string; VERSION: number }>;
  return row;
}

/** Every message of the topic, as kcat prints it (key, headers, value). */
async function topicScan(): Promise<string> {
  const { stdout } = await run(
    '/usr/bin/kcat',
    [
      '-b',
      kafkaConfig.brokers.join(','),
      '-C',
      '-t',
      kafkaConfig.topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k %h %s\n',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

async function storedEvents(id: string) {
  const rows = (await pools.command.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`,
    [id],
  )) as EventRow[];
  return rows.map(rowToEvent);
}

/** A stored event's Kafka message kept as a dead letter (what the projection keeps of a record it could not apply). */
async function deadLetterOf(event: Awaited<ReturnType<typeof storedEvents>>[number]): Promise<number> {
  const message = toMessage(event);
  const result = (await pools.operator.query(
    `INSERT INTO dead_letters (topic, partition_no, offset_no, record_key, record_value, headers, reason_code, reason, created_at)
     VALUES (?, 0, ?, ?, ?, ?, 'INVALID_SEQUENCE', 'kept for the erasure test', UTC_TIMESTAMP(3))`,
    [
      `erasure-${randomUUID()}`,
      event.position,
      Buffer.from(message.key),
      Buffer.from(message.value),
      JSON.stringify(message.headers),
    ],
  )) as { insertId: number };
  return Number(result.insertId);
}

const npm = (args: string[]) => run('npm', ['run', '--silent', ...args], { cwd: ROOT, env: process.env });

describe('erasure of a person through sls offline', () => {
  let id: string;
  let deadLetter: number;

  it('a name registered and renamed over HTTP is readable through the API and nowhere else', async () => {
    const created = await http('POST', '/users', { name: `Ada ${marker} One` });
    expect(created.status).toBe(201);
    id = created.body.id as string;
    expect(
      (await http('PUT', `/users/${id}/name`, { name: `Ada ${marker} Two` }, { 'if-match': '"1"' })).status,
    ).toBe(200);
    // A rename whose publish failed: it waits in the outbox, sealed, until the relay publishes it.
    const down = commandWithBrokerDown(registry);
    try {
      const res = await invoke(down.handler, {
        method: 'PUT',
        path: `/users/${id}/name`,
        pathParameters: { id },
        body: { name: `Ada ${marker} Three` },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await down.close();
    }
    const [waiting] = (await pools.command.query('SELECT COUNT(*) AS n FROM outbox WHERE stream_id = ?', [
      id,
    ])) as [{ n: number }];
    expect(Number(waiting.n)).toBe(1);
    expect(await writeSideHits(marker)).toBe(0);
    await relayPass(pools.relay);

    const read = await readAt(id, 3);
    expect(read.body).toMatchObject({ id, name: `Ada ${marker} Three`, version: 3 });
    const listed = await http('GET', `/users?name=${encodeURIComponent(`Ada ${marker}`)}`);
    expect(listed.body.items.map((u: { id: string }) => u.id)).toEqual([id]);

    // Raw copies on the read side: an old record kept as a dead letter, a version parked ahead of a gap.
    const events = await storedEvents(id);
    expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'UserRenamed', 'UserRenamed']);
    deadLetter = await deadLetterOf(events[1]!);
    const ahead = { ...events[2]!, version: 40, eventId: randomUUID() };
    const parked = await new MariaDbProjectionStore(pools.projection, registry, undefined, {
      keyring: keyringFor('projection'),
    }).projectBatch([
      {
        topic: 'erasure-parked',
        partition: 0,
        offset: '0',
        timestamp: Date.now(),
        key: Buffer.from(id),
        value: Buffer.from(toMessage(ahead).value),
        headers: {},
      },
    ]);
    expect(parked.outcomes).toEqual(['parked']);

    const [{ n: stored }] = (await pools.operator.query(
      'SELECT (SELECT COUNT(*) FROM dead_letters WHERE id = ?) + (SELECT COUNT(*) FROM parked_events WHERE stream_id = ?) AS n',
      [deadLetter, id],
    )) as [{ n: number }];
    expect(Number(stored)).toBe(2);
    expect(await writeSideHits(marker)).toBe(0);
    expect(await rawReadSideHits(marker)).toBe(0);

    const scan = await topicScan();
    expect(scan.split('\n').filter((line) => line.startsWith(id))).toHaveLength(3);
    expect(scan).toContain('UserRenamed');
    expect(scan).not.toContain(marker);
  });

  it('after erasure GET answers 410 without the name, lists leave the user out, and no copy holds the marker', async () => {
    const headers = { 'if-match': '"3"', 'idempotency-key': `erase-${id}` };
    const erased = await http('POST', `/users/${id}/erasure`, {}, headers);
    expect(erased).toMatchObject({ status: 200, body: { id, version: 4 } });
    const again = await http('POST', `/users/${id}/erasure`, {}, headers);
    expect(again.body).toEqual({ id, version: 4 });
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const gone = await readAt(id, 4);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('USER_GONE');
    expect(JSON.stringify(gone.body)).not.toContain(marker);
    expect((await http('GET', `/users?name=${encodeURIComponent(`Ada ${marker}`)}`)).body.items).toEqual([]);
    expect(await readModelRow(id)).toEqual({ NAME: '', STATUS: 'erased', VERSION: 4 });
    const [writeRow] = (await pools.command.query('SELECT NAME, STATUS FROM USER_DATA WHERE USER_ID = ?', [
      id,
    ])) as [{ NAME: string; STATUS: string }];
    expect(writeRow).toEqual({ NAME: '', STATUS: 'erased' });
    const [key] = (await pools.command.query(
      'SELECT wrapped_key, erased_at FROM personal_data_keys WHERE stream_id = ?',
      [id],
    )) as [{ wrapped_key: Buffer | null; erased_at: string | null }];
    expect(key.wrapped_key).toBeNull();
    expect(key.erased_at).not.toBeNull();
    expect((await http('PUT', `/users/${id}/name`, { name: `Ada ${marker} Four` })).status).toBe(410);
    expect(await writeSideHits(marker)).toBe(0);
    expect(await rawReadSideHits(marker)).toBe(0);
    expect(await topicScan()).not.toContain(marker);
    expect(server.output()).not.toContain(marker);
  });

  it('a deregistered user can be erased too', async () => {
    const created = await http('POST', '/users', { name: `Bea ${marker}` });
    const other = created.body.id as string;
    expect((await http('DELETE', `/users/${other}`)).status).toBe(200);
    expect(await http('POST', `/users/${other}/erasure`, {})).toMatchObject({
      status: 200,
      body: { id: other, version: 3 },
    });
    expect((await readAt(other, 3)).status).toBe(410);
    expect((await readModelRow(other))?.NAME).toBe('');
  });

  it('redriving an old dead letter of the erased user cannot bring the name back, even onto an empty row', async () => {
    await npm(['dlq', '--', 'redrive', String(deadLetter)]);
    expect(await readModelRow(id)).toEqual({ NAME: '', STATUS: 'erased', VERSION: 4 });
    // Its registration, projected again onto no row at all, opens to no name: the key is gone.
    const [registered] = await storedEvents(id);
    const second = await deadLetterOf(registered!);
    await pools.operator.query('DELETE FROM USER_DATA WHERE USER_ID = ?', [id]);
    const { stdout } = await npm(['dlq', '--', 'redrive', String(second)]);
    expect(stdout).not.toContain(marker);
    expect(await readModelRow(id)).toEqual({ NAME: '(erased)', STATUS: 'active', VERSION: 1 });
  });

  it('npm run replay (the rebuild) yields the same erased row, and the marker is nowhere', async () => {
    const { stdout, stderr } = await npm(['replay']);
    expect(stdout + stderr).not.toContain(marker);
    expect(await readModelRow(id)).toEqual({ NAME: '', STATUS: 'erased', VERSION: 4 });
    const [{ n }] = (await pools.operator.query('SELECT COUNT(*) AS n FROM USER_DATA WHERE NAME LIKE ?', [
      `%${marker}%`,
    ])) as [{ n: number }];
    expect(Number(n)).toBe(0);
    expect(await rawReadSideHits(marker)).toBe(0);
    expect(server.output()).not.toContain(marker);
  }, 120000);
});
