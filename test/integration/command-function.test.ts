/**
 * The command function on the real MariaDB and Kafka, called with API Gateway v2 events the
 * way Lambda calls it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { registry } from '../../aggregates/index.js';
import { closeCommandDeps, commandDeps } from '../../lib/commands/deps.js';
import { closePools } from '../../lib/db/pool.js';
import { relayOnce } from '../../lib/outbox/relay.js';
import { MariaDbOutbox } from '../../lib/outbox/mariadb.js';
import { createCommandHandler, handler } from '../../functions/command/handler.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { invoke, type RequestSpec } from '../support/apigw.js';
import { databases, kafkaConfig, rolePool } from '../support/env.js';
import { collectEnvelopes } from '../support/kafka.js';

const db = rolePool('command');
const relayPool = rolePool('relay');

afterAll(async () => {
  await closeCommandDeps();
  await closePools();
  await db.end();
  await relayPool.end();
});

const register = (name: string, headers: Record<string, string> = {}) =>
  invoke(handler, { method: 'POST', path: '/users', body: { name }, headers });
const rename = (id: string, name: string, headers: Record<string, string> = {}) =>
  invoke(handler, {
    method: 'PUT',
    path: `/users/${id}/name`,
    pathParameters: { id },
    body: { name },
    headers,
  });
const deregister = (id: string, headers: Record<string, string> = {}) =>
  invoke(handler, { method: 'DELETE', path: `/users/${id}`, pathParameters: { id }, headers });

async function count(table: string, where = '1 = 1', params: unknown[] = []): Promise<number> {
  const rows = (await db.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)) as Array<{
    n: number;
  }>;
  return Number(rows[0]?.n);
}

async function writeCounts() {
  return {
    events: await count('events'),
    outbox: await count('outbox'),
    idempotency: await count('idempotency_keys'),
    users: await count('USER_DATA'),
  };
}

async function versions(streamId: string): Promise<number[]> {
  const rows = (await db.query('SELECT version FROM events WHERE stream_id = ? ORDER BY version', [
    streamId,
  ])) as Array<{
    version: number;
  }>;
  return rows.map((r) => Number(r.version));
}

describe('command function: happy path', () => {
  it('POST /users registers a user: 201, Location, version 1, event and USER_DATA row committed, then published', async () => {
    const res = await register('Ada Lovelace');
    expect(res.statusCode).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), version: 1 });
    expect(res.headers.location).toBe(`/users/${res.body.id}`);
    const [row] = (await db.query(
      'SELECT NAME, DATE_REGISTER, VERSION, STATUS FROM USER_DATA WHERE USER_ID = ?',
      [res.body.id],
    )) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ NAME: 'Ada Lovelace', VERSION: 1, STATUS: 'active' });
    expect(Date.parse(String(row?.DATE_REGISTER))).not.toBeNaN();
    expect(await count('outbox', 'stream_id = ?', [res.body.id])).toBe(0);
    const published = await collectEnvelopes([res.body.id], 1);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ streamId: res.body.id, version: 1, type: 'UserRegistered' });
  });

  it('PUT /users/{id}/name renames and DELETE /users/{id} deregisters, each one version up', async () => {
    const { body } = await register('Grace');
    const renamed = await rename(body.id, 'Grace Hopper');
    expect(renamed).toMatchObject({ statusCode: 200, body: { id: body.id, version: 2 } });
    const gone = await deregister(body.id);
    expect(gone).toMatchObject({ statusCode: 200, body: { id: body.id, version: 3 } });
    expect(await versions(body.id)).toEqual([1, 2, 3]);
  });

  it('names are trimmed before they are stored', async () => {
    const { body } = await register('  Katherine  ');
    const [row] = (await db.query('SELECT NAME FROM USER_DATA WHERE USER_ID = ?', [body.id])) as Array<{
      NAME: string;
    }>;
    expect(row?.NAME).toBe('Katherine');
  });
});

describe('command function: rules', () => {
  it('a command on an unknown user is 404 USER_NOT_FOUND and writes nothing', async () => {
    const before = await writeCounts();
    const res = await rename(randomUUID(), 'Nobody');
    expect(res).toMatchObject({ statusCode: 404, body: { error: { code: 'USER_NOT_FOUND' } } });
    expect(await writeCounts()).toEqual(before);
  });

  it('a command on a deregistered user is 409 USER_DEREGISTERED', async () => {
    const { body } = await register('Temp');
    await deregister(body.id);
    expect(await rename(body.id, 'Again')).toMatchObject({
      statusCode: 409,
      body: { error: { code: 'USER_DEREGISTERED' } },
    });
    expect(await deregister(body.id)).toMatchObject({ statusCode: 409 });
  });

  it('If-Match with a stale version is 412 VERSION_MISMATCH and writes nothing', async () => {
    const { body } = await register('Versioned');
    await rename(body.id, 'V2');
    const before = await writeCounts();
    const res = await rename(body.id, 'V3', { 'if-match': '"1"' });
    expect(res).toMatchObject({ statusCode: 412, body: { error: { code: 'VERSION_MISMATCH' } } });
    expect(await writeCounts()).toEqual(before);
    expect(await rename(body.id, 'V3', { 'if-match': '"2"' })).toMatchObject({
      statusCode: 200,
      body: { version: 3 },
    });
  });

  it('20 parallel renames with the same If-Match: exactly one succeeds, the rest get 412, versions stay contiguous', async () => {
    const { body } = await register('Contended');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rename(body.id, `name-${i}`, { 'if-match': '"1"' })),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    expect(await versions(body.id)).toEqual([1, 2]);
    const winner = results.find((r) => r.statusCode === 200)!;
    const [row] = (await db.query('SELECT NAME, VERSION FROM USER_DATA WHERE USER_ID = ?', [
      body.id,
    ])) as Array<{
      NAME: string;
      VERSION: number;
    }>;
    expect(row?.VERSION).toBe(2);
    expect(results.indexOf(winner)).toBe(Number(row?.NAME.replace('name-', '')));
  });

  it('parallel renames without If-Match retry on conflict: no lost update, every success is one event', async () => {
    const { body } = await register('Busy');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rename(body.id, `busy-${i}`)));
    const ok = results.filter((r) => r.statusCode === 200);
    expect(results.every((r) => r.statusCode === 200 || r.statusCode === 409)).toBe(true);
    expect(await versions(body.id)).toEqual(Array.from({ length: ok.length + 1 }, (_, i) => i + 1));
    expect(new Set(ok.map((r) => r.body.version)).size).toBe(ok.length);
  });
});

describe('command function: Idempotency-Key', () => {
  it('the same key and body returns the first answer and writes nothing new', async () => {
    const key = randomUUID();
    const first = await register('Idem', { 'idempotency-key': key });
    const before = await writeCounts();
    const second = await register('Idem', { 'idempotency-key': key });
    expect(second.statusCode).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await writeCounts()).toEqual(before);
  });

  it('the same key with a different body is 422 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const key = randomUUID();
    await register('Idem A', { 'idempotency-key': key });
    const before = await writeCounts();
    const res = await register('Idem B', { 'idempotency-key': key });
    expect(res).toMatchObject({ statusCode: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(await writeCounts()).toEqual(before);
  });

  it('the record keeps a keyed hash of the request, which a guessed name cannot be checked against', async () => {
    const key = randomUUID();
    const name = `Guessable ${randomUUID().slice(0, 8)}`;
    await register(name, { 'idempotency-key': key });
    const rows = (await db.query('SELECT request_hash FROM idempotency_keys WHERE idempotency_key = ?', [
      key,
    ])) as Array<{ request_hash: string }>;
    const stored = rows[0]!.request_hash;
    const guess = (body: unknown) =>
      createHash('sha256')
        .update(JSON.stringify(['POST', 'registerUser', null, body, null]))
        .digest('hex');
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toBe(guess({ name }));
    expect((await register(name, { 'idempotency-key': key })).statusCode).toBe(201);
  });

  it('concurrent retries with one key create one user', async () => {
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => register('Racer', { 'idempotency-key': key })),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    expect(await count('events', "JSON_VALUE(metadata, '$.idempotencyKey') = ?", [key])).toBe(1);
  });

  it('concurrent retries with one key and If-Match get the first answer, never a 412', async () => {
    const { body } = await register('Racer Pinned');
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        rename(body.id, 'Racer Renamed', { 'idempotency-key': key, 'if-match': '"1"' }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => JSON.stringify(r.body)))).toEqual(
      new Set([JSON.stringify({ id: body.id, version: 2 })]),
    );
    expect(await versions(body.id)).toEqual([1, 2]);
  });

  it('a replayed rename answers with the version it produced, even after later changes', async () => {
    const { body } = await register('Replay');
    const key = randomUUID();
    const first = await rename(body.id, 'Replay 2', { 'idempotency-key': key });
    await rename(body.id, 'Replay 3');
    const again = await rename(body.id, 'Replay 2', { 'idempotency-key': key });
    expect(again.body).toEqual(first.body);
    expect(await versions(body.id)).toEqual([1, 2, 3]);
  });
});

describe('command function: bad input is a 4xx JSON error and writes nothing', () => {
  const existing = { id: '' };
  beforeAll(async () => {
    existing.id = (await register('Target')).body.id;
  });
  const big = 'x'.repeat(17 * 1024);
  const cases: Array<[string, () => RequestSpec, number, string]> = [
    ['name missing', () => ({ method: 'POST', path: '/users', body: {} }), 400, 'VALIDATION_FAILED'],
    [
      'name not a string',
      () => ({ method: 'POST', path: '/users', body: { name: 42 } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'name empty after trim',
      () => ({ method: 'POST', path: '/users', body: { name: '   ' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'name over 255',
      () => ({ method: 'POST', path: '/users', body: { name: 'a'.repeat(256) } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'name with a control character',
      () => ({ method: 'POST', path: '/users', body: { name: 'a\nb' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'unknown field',
      () => ({ method: 'POST', path: '/users', body: { name: 'a', admin: true } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'body is an array',
      () => ({ method: 'POST', path: '/users', body: [{ name: 'a' }] }),
      400,
      'VALIDATION_FAILED',
    ],
    ['body is a string', () => ({ method: 'POST', path: '/users', body: 'a' }), 400, 'VALIDATION_FAILED'],
    [
      'no body',
      () => ({ method: 'POST', path: '/users', headers: { 'content-type': 'application/json' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'invalid JSON',
      () => ({
        method: 'POST',
        path: '/users',
        rawBody: '{"name":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'INVALID_JSON',
    ],
    [
      'body over 16 KiB',
      () => ({
        method: 'POST',
        path: '/users',
        rawBody: JSON.stringify({ name: big }),
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'non-JSON content type',
      () => ({
        method: 'POST',
        path: '/users',
        rawBody: 'name=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'no content type',
      () => ({ method: 'POST', path: '/users', rawBody: '{"name":"a"}' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'path id not a UUID',
      () => ({
        method: 'PUT',
        path: '/users/not-a-uuid/name',
        pathParameters: { id: 'not-a-uuid' },
        body: { name: 'a' },
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a path no route has (dot segments are not an id)',
      () => ({
        method: 'PUT',
        path: '/users/../etc/name',
        pathParameters: { id: '../etc' },
        body: { name: 'a' },
      }),
      404,
      'ROUTE_NOT_FOUND',
    ],
    [
      'malformed If-Match',
      () => ({
        method: 'PUT',
        path: `/users/${existing.id}/name`,
        pathParameters: { id: existing.id },
        body: { name: 'a' },
        headers: { 'if-match': 'version-two' },
      }),
      400,
      'INVALID_HEADER',
    ],
    [
      'Idempotency-Key with a newline',
      () => ({ method: 'POST', path: '/users', body: { name: 'a' }, headers: { 'idempotency-key': 'a\nb' } }),
      400,
      'INVALID_HEADER',
    ],
  ];

  it.each(cases)('%s', async (_name, spec, status, code) => {
    const before = await writeCounts();
    const res = await invoke(handler, spec());
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(await writeCounts()).toEqual(before);
  });

  it('validation errors name the field and the problem', async () => {
    const res = await invoke(handler, { method: 'POST', path: '/users', body: { name: 7, extra: 1 } });
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'name', problem: 'must be a string' },
        { field: 'extra', problem: 'is not an accepted field' },
      ]),
    );
  });
});

describe('command function: the broker is down', () => {
  it('commands still succeed and wait in the outbox; the relay then publishes them in order, each once', async () => {
    const real = commandDeps(registry);
    const deadBus = new KafkaEventBus({ ...kafkaConfig, brokers: ['127.0.0.1:1'] });
    const offline = httpFunction(
      createCommandHandler(registry, () => ({ ...real, bus: deadBus, publishTimeoutMs: 1000 })),
      { maxBodyBytes: real.maxBodyBytes, statuses: registry.statuses },
    );
    const first = await invoke(offline, { method: 'POST', path: '/users', body: { name: 'Offline' } });
    expect(first.statusCode).toBe(201);
    const id = first.body.id as string;
    for (const name of ['Offline 2', 'Offline 3']) {
      const res = await invoke(offline, {
        method: 'PUT',
        path: `/users/${id}/name`,
        pathParameters: { id },
        body: { name },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(await count('outbox', 'stream_id = ?', [id])).toBe(3);

    // The broker is back: a command on the same stream must not jump the queue.
    const later = await rename(id, 'Online');
    expect(later.statusCode).toBe(200);
    expect(await count('outbox', 'stream_id = ?', [id])).toBe(4);

    const outbox = new MariaDbOutbox(db);
    const bus = new KafkaEventBus(kafkaConfig);
    const lockName = `cqrs_outbox_relay_${databases.commands}`;
    for (let i = 0; i < 20 && (await outbox.hasOlderPending(id, 5)); i++) {
      await relayOnce(relayPool, bus, { lockName, batchSize: 500, minAgeMs: 0 });
    }
    await bus.close();
    await deadBus.close();
    expect(await count('outbox', 'stream_id = ?', [id])).toBe(0);

    const seen = await collectEnvelopes([id], 4);
    expect(seen.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(4);
  });
});
