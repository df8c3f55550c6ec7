/**
 * A second aggregate runs through the machinery untouched: the orders fixture, registered beside
 * users only in the tests (test/fixtures/registry.ts, bundled by `sls offline` through
 * CQRS_REGISTRY), goes through the real command function, event store, outbox, relay, Kafka,
 * projection function, query function, rebuild and dead-letter redrive.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { registry as productRegistry } from '../../aggregates/index.js';
import { toMessage } from '../../lib/bus/envelope.js';
import { closeCommandDeps } from '../../lib/commands/deps.js';
import { closePools } from '../../lib/db/pool.js';
import { DeadLetterStore } from '../../lib/deadletters/store.js';
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { rebuildReadModel } from '../../lib/rebuild/rebuild.js';
import { ROOT } from '../../infra/paths.js';
import { registry } from '../fixtures/registry.js';
import { invoke } from '../support/apigw.js';
import { commandWithBrokerDown, relayPass } from '../support/broker-down.js';
import { collectEnvelopes } from '../support/kafka.js';
import { databases, rolePool } from '../support/env.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';

const pools = {
  command: rolePool('command'),
  relay: rolePool('relay'),
  projection: rolePool('projection'),
  operator: rolePool('operator'),
};
const workFolder = path.join('.local', `esbuild-orders-${randomBytes(4).toString('hex')}`);
let server: OfflineServer;

beforeAll(async () => {
  server = await startOffline({
    httpPort: 3140,
    lambdaPort: 3142,
    consumerGroup: `orders-${randomUUID()}`,
    env: { CQRS_REGISTRY: 'test/fixtures/registry.ts', ESBUILD_WORK_FOLDER: workFolder },
  });
}, 150000);

afterAll(async () => {
  await server?.stop();
  await closeCommandDeps();
  await closePools();
  await Promise.all(Object.values(pools).map((p) => p.end()));
  await rm(path.join(ROOT, workFolder), { recursive: true, force: true });
});

const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  requestJson(server.url, method, path, body, headers);

const orderAt = (id: string, version: number) =>
  eventually(
    async () => {
      const res = await http('GET', `/orders/${id}?minVersion=${version}`);
      return res.status === 200 ? res : undefined;
    },
    20000,
    `order ${id} at version ${version}`,
  );

describe('a second aggregate through the same machinery', () => {
  it('an order placed and changed over HTTP is stored with its stream type, published and read back', async () => {
    const placed = await http('POST', '/orders', { item: 'tea', quantity: 2 });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    expect(placed.headers.get('location')).toBe(`/orders/${id}`);
    expect((await http('PUT', `/orders/${id}/quantity`, { quantity: 5 })).status).toBe(200);

    const read = await orderAt(id, 2);
    expect(read.body).toEqual({ id, item: 'tea', quantity: 5, placedAt: expect.any(String), version: 2 });
    const rows = (await pools.command.query(
      'SELECT stream_type, type FROM events WHERE stream_id = ? ORDER BY version',
      [id],
    )) as Array<{ stream_type: string; type: string }>;
    expect(rows).toEqual([
      { stream_type: 'order', type: 'OrderPlaced' },
      { stream_type: 'order', type: 'OrderQuantityChanged' },
    ]);
    const envelopes = await collectEnvelopes([id], 2);
    expect(envelopes.map((e) => [e.streamType, e.type])).toEqual([
      ['order', 'OrderPlaced'],
      ['order', 'OrderQuantityChanged'],
    ]);
  });

  it("the aggregate's own errors and validation answer with their codes, and users still work beside it", async () => {
    const missing = await http('PUT', `/orders/${randomUUID()}/quantity`, { quantity: 1 });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'ORDER_NOT_FOUND' } } });
    const invalid = await http('POST', '/orders', { item: 'tea', quantity: 0 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details).toEqual([{ field: 'quantity', problem: 'must be at least 1' }]);
    expect((await http('GET', '/orders/not-a-uuid')).body.error.details).toEqual([
      { field: 'id', problem: 'must be a UUID' },
    ]);
    const user = await http('POST', '/users', { name: 'Beside the orders' });
    expect(user.status).toBe(201);
    const crossed = await http('PUT', `/orders/${user.body.id}/quantity`, { quantity: 2 });
    expect(crossed).toMatchObject({ status: 404, body: { error: { code: 'STREAM_NOT_FOUND' } } });
    const [{ n }] = (await pools.command.query('SELECT COUNT(*) AS n FROM events WHERE stream_id = ?', [
      user.body.id,
    ])) as [{ n: number }];
    expect(Number(n)).toBe(1);
    const shown = await eventually(async () => {
      const res = await http('GET', `/users/${user.body.id}`);
      return res.status === 200 ? res : undefined;
    });
    expect(shown.body.name).toBe('Beside the orders');
    const doc = await http('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/orders', '/orders/{id}', '/users']),
    );
  });

  it('an order whose publish failed waits in the outbox and the relay delivers it', async () => {
    const offlineCommand = commandWithBrokerDown(registry);
    try {
      const placed = await invoke(offlineCommand.handler, {
        method: 'POST',
        path: '/orders',
        body: { item: 'cocoa', quantity: 1 },
      });
      expect(placed.statusCode).toBe(201);
      const id = placed.body.id as string;
      const [outboxRow] = (await pools.command.query(
        "SELECT COUNT(*) AS n FROM outbox WHERE stream_id = ? AND stream_type = 'order'",
        [id],
      )) as Array<{ n: number }>;
      expect(Number(outboxRow?.n)).toBe(1);
      await relayPass(pools.relay);
      expect((await orderAt(id, 1)).body).toMatchObject({ id, item: 'cocoa', quantity: 1 });
    } finally {
      await offlineCommand.close();
    }
  });

  it("a rebuild restores the aggregate's read model from the event store", async () => {
    const placed = await http('POST', '/orders', { item: 'coffee', quantity: 3 });
    const id = placed.body.id as string;
    await orderAt(id, 1);
    await pools.operator.query('DELETE FROM order_view WHERE order_id = ?', [id]);
    expect((await http('GET', `/orders/${id}`)).status).toBe(404);
    const result = await rebuildReadModel(pools.operator, registry, databases, {
      keyring: keyringFor('operator'),
    });
    expect(result.outcome).toBe('swapped');
    expect((await orderAt(id, 1)).body).toMatchObject({ id, item: 'coffee', quantity: 3, version: 1 });
  });

  it('an order event dead-lettered by a projection that did not know orders is applied by a redrive that does', async () => {
    const id = randomUUID();
    const stored = {
      eventId: randomUUID(),
      streamId: id,
      streamType: 'order',
      version: 1,
      position: 1,
      type: 'OrderPlaced',
      data: { item: 'mate', quantity: 4, placedAt: '2026-01-02T03:04:05.678Z' },
      metadata: { schemaVersion: 1 },
      occurredAt: '2026-01-02T03:04:05.678Z',
    };
    const message = toMessage(stored);
    const topic = `orders-dlq-${randomUUID()}`;
    const before = new MariaDbProjectionStore(pools.projection, productRegistry, undefined, {
      keyring: keyringFor('projection'),
    });
    const plan = await before.projectBatch([
      {
        topic,
        partition: 0,
        offset: '0',
        timestamp: Date.now(),
        key: Buffer.from(message.key),
        value: Buffer.from(message.value),
        headers: message.headers,
      },
    ]);
    expect(plan.deadLetters.map((d) => [d.code, d.reason])).toEqual([
      ['UNKNOWN_EVENT_TYPE', 'unknown stream type "order"'],
    ]);
    const letters = new DeadLetterStore(pools.operator, registry, keyringFor('operator'));
    const letter = (await letters.list({ limit: 500 })).find((l) => l.topic === topic)!;
    expect(await letters.redrive(letter.id)).toEqual({ outcome: 'applied' });
    expect((await orderAt(id, 1)).body).toMatchObject({ id, item: 'mate', quantity: 4 });
  });
});
