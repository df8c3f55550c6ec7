/**
 * The whole pipeline as a user runs it: `sls offline` serving the command and query functions
 * over HTTP, and the projection fed from the real Kafka broker by the offline event source plugin.
 */
import { randomUUID } from 'node:crypto';
import { createAdmin, createProducer } from '../../lib/kafka/client.js';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { relayOnce } from '../../lib/outbox/relay.js';
import { databases, kafkaConfig, rolePool } from '../support/env.js';
import { foldStreams, readModelRows } from '../support/fold.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';
import { packageAws } from '../support/aws-package.js';
import { describePolicy, failurePolicy } from '../../plugins/serverless-offline-kafka/policy.js';

const commandDb = rolePool('command');
const projectionDb = rolePool('projection');
const relayDb = rolePool('relay');
const relayBus = new KafkaEventBus(kafkaConfig);
const consumerGroup = `e2e-${randomUUID()}`;
const ports = { httpPort: 3100, lambdaPort: 3102 };
let server: OfflineServer;

beforeAll(async () => {
  server = await startOffline({ ...ports, consumerGroup });
}, 120000);

afterAll(async () => {
  await server?.stop();
  await commandDb.end();
  await projectionDb.end();
  await relayDb.end();
  await relayBus.close();
});

const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  requestJson(server.url, method, path, body, headers);

const visibleAt = (id: string, version: number) =>
  eventually(
    async () => {
      const res = await http('GET', `/users/${id}`);
      return res.status === 200 && res.body.version >= version ? res : undefined;
    },
    20000,
    `user ${id} at version ${version}`,
  );

/** Seeded choices, so a failing interleaving can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

describe('pipeline through sls offline', () => {
  it('a registered user can be read back, renamed and deregistered through HTTP', async () => {
    const created = await http('POST', '/users', { name: 'Edsger' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/users/${created.body.id}`);
    const id = created.body.id as string;

    const read = await visibleAt(id, 1);
    expect(read.body).toEqual({ id, name: 'Edsger', dateRegister: expect.any(String), version: 1 });
    expect(read.headers.get('etag')).toBe('"1"');

    expect((await http('PUT', `/users/${id}/name`, { name: 'Edsger Dijkstra' })).status).toBe(200);
    expect((await visibleAt(id, 2)).body.name).toBe('Edsger Dijkstra');

    const listed = await http('GET', `/users?name=${encodeURIComponent('Edsger D')}&limit=100`);
    expect(listed.body.items.map((u: { id: string }) => u.id)).toContain(id);

    expect((await http('DELETE', `/users/${id}`)).status).toBe(200);
    const gone = await eventually(async () => {
      const res = await http('GET', `/users/${id}`);
      return res.status === 410 ? res : undefined;
    });
    expect(gone.body.error.code).toBe('USER_GONE');
  });

  it("read-your-writes: a read with the command's consistency token waits for the projection and sees the write", async () => {
    const created = await http('POST', '/users', { name: 'Barbara' });
    const token = created.headers.get('consistency-token');
    expect(token).toBe(`${created.body.id}@1`);
    const renamed = await http('PUT', `/users/${created.body.id}/name`, { name: 'Barbara Liskov' });
    const [id, version] = renamed.headers.get('consistency-token')!.split('@') as [string, string];
    const read = await http('GET', `/users/${id}?minVersion=${version}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'Barbara Liskov', version: 2 });
    const byHeader = await http('GET', `/users/${id}`, undefined, { 'x-consistency-token': `${id}@2` });
    expect(byHeader.body.version).toBe(2);
  });

  it('read-your-writes: a version the projection has not reached in time is 202 with Retry-After', async () => {
    const created = await http('POST', '/users', { name: 'Future' });
    const ahead = await http('GET', `/users/${created.body.id}?minVersion=5`);
    expect(ahead.status).toBe(202);
    expect(ahead.headers.get('retry-after')).toBe('1');
    expect(ahead.body).toMatchObject({ id: created.body.id, status: 'pending', minVersion: 5 });
    expect(
      (await http('GET', `/users/${created.body.id}`, undefined, { 'x-consistency-token': 'nope' })).status,
    ).toBe(400);
  });

  it('GET /health reports the outbox backlog, the projection lag of its consumer group and the read model backlog', async () => {
    const health = await http('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.problems).toEqual([]);
    expect(health.body.readModel.parked).toEqual({ count: 0, oldestAgeMs: 0 });
    expect(Object.keys(health.body.readModel.deadLetters)).toEqual(['count', 'newestAt']);
    expect(health.body.outbox).toEqual({ pending: expect.any(Number), oldestAgeMs: expect.any(Number) });
    expect(health.body.projection).toMatchObject({
      group: consumerGroup,
      topic: kafkaConfig.topic,
      total: expect.any(Number),
    });
    expect(health.body.projection.partitions).toHaveLength(3);
  });

  it("the local event source runs the failure policy of the packaged template's projection mapping", async () => {
    const pkg = await packageAws();
    try {
      const [mapping] = Object.values(pkg.resources).filter(
        (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
      );
      const deployed = describePolicy(failurePolicy(mapping!.Properties, { resources: pkg.resources }));
      expect(deployed).toBe('retries forever, records never expire, no bisect, no on-failure destination');
      expect(server.output()).toContain(
        `offline-kafka: projection ← ${kafkaConfig.topic} (group ${consumerGroup}): ${deployed}`,
      );
    } finally {
      await pkg.remove();
    }
  }, 180000);

  it('GET /openapi.json serves the OpenAPI 3.1 document of these routes', async () => {
    const doc = await http('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.servers).toEqual([{ url: server.url }]);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/users', '/users/{id}', '/users/{id}/name']),
    );
  });

  it('the query routes answer bad parameters with 400 and unknown users with 404', async () => {
    expect((await http('GET', '/users?limit=101')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await http('GET', '/users?cursor=%25%25')).status).toBe(400);
    expect((await http('GET', '/users?colour=red')).status).toBe(400);
    expect((await http('GET', '/users/not-a-uuid')).status).toBe(400);
    const missing = await http('GET', `/users/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('USER_NOT_FOUND');
  });

  it('keyset pagination walks a name prefix page by page without gaps or repeats', async () => {
    const prefix = `Page-${randomUUID().slice(0, 8)}-`;
    const ids = [];
    for (let i = 0; i < 7; i++)
      ids.push((await http('POST', '/users', { name: `${prefix}${i}` })).body.id as string);
    await visibleAt(ids[6]!, 1);
    for (const id of ids) await visibleAt(id, 1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/users?limit=3&name=${encodeURIComponent(prefix)}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await http('GET', query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('200 commands over 50 users in random interleavings: the read model equals the fold of the event store', async () => {
    const next = random(7);
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => http('POST', '/users', { name: `Mixed ${i + j}` })),
      );
      ids.push(...batch.map((r) => r.body.id as string));
    }
    const commands = Array.from({ length: 150 }, (_, i) => {
      const id = ids[Math.floor(next() * ids.length)]!;
      return next() < 0.08
        ? () => http('DELETE', `/users/${id}`)
        : () => http('PUT', `/users/${id}/name`, { name: `Mixed ${i}` });
    });
    const statuses: number[] = [];
    for (let i = 0; i < commands.length; i += 8) {
      const results = await Promise.all(commands.slice(i, i + 8).map((run) => run()));
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);

    const expected = await foldStreams(commandDb, ids);
    expect(expected.size).toBe(50);
    // As under `npm start`, a relay publishes what a command left in the outbox (a publish that timed out).
    await eventually(
      async () => {
        await relayOnce(relayDb, relayBus, {
          lockName: `cqrs_outbox_relay_${databases.commands}`,
          batchSize: 500,
          minAgeMs: 0,
        });
        const actual = await readModelRows(projectionDb, ids);
        return [...expected.values()].every((e) => actual.get(e.userId)?.version === e.version)
          ? true
          : undefined;
      },
      30000,
      'the read model to catch up',
    );
    const actual = await readModelRows(projectionDb, ids);
    for (const [id, want] of expected) expect(actual.get(id)).toEqual(want);
  });

  it('a poison record produced straight onto the topic is dead-lettered and its partition goes on', async () => {
    const { body } = await http('POST', '/users', { name: 'Before Poison' });
    const id = body.id as string;
    await visibleAt(id, 1);
    const producer = await createProducer(kafkaConfig, { quiet: true });
    await producer.connect();
    const [sent] = await producer.send({
      topic: kafkaConfig.topic,
      messages: [{ key: id, value: '{"this is": not json' }],
    });
    await producer.disconnect();
    const deadLetter = await eventually(
      async () => {
        const rows = (await projectionDb.query(
          'SELECT reason_code, reason, record_value FROM dead_letters WHERE topic = ? AND partition_no = ? AND offset_no = ?',
          [kafkaConfig.topic, sent!.partition, sent!.baseOffset],
        )) as Array<{ reason_code: string; reason: string; record_value: Buffer }>;
        return rows[0];
      },
      20000,
      'the dead letter',
    );
    expect(deadLetter.reason_code).toBe('UNPARSEABLE');
    expect(deadLetter.record_value.toString()).toBe('{"this is": not json');

    expect((await http('PUT', `/users/${id}/name`, { name: 'After Poison' })).status).toBe(200);
    expect((await visibleAt(id, 2)).body.name).toBe('After Poison');
  });

  it('re-delivering the whole topic from offset 0 leaves the read model unchanged', async () => {
    const snapshot = async () => ({
      users: await projectionDb.query('SELECT * FROM USER_DATA ORDER BY USER_ID'),
      deadLetters: await projectionDb.query('SELECT COUNT(*) AS n FROM dead_letters'),
    });
    const before = await snapshot();
    await server.stop();

    const admin = await createAdmin(kafkaConfig, { quiet: true });
    await admin.connect();
    // The stopped server's consumer leaves the group on shutdown; resetting needs it empty.
    await eventually(
      () =>
        admin
          .resetOffsetsToEarliest(consumerGroup, kafkaConfig.topic)
          .then(() => true)
          .catch(() => undefined),
      45000,
      'the consumer group to be empty',
    );
    const ends = await admin.fetchTopicOffsets(kafkaConfig.topic);

    server = await startOffline({ ...ports, consumerGroup });
    await eventually(
      async () => {
        const committed = await admin.fetchCommittedOffsets(consumerGroup, kafkaConfig.topic);
        const caughtUp = ends.every((end) => {
          const at = committed.find((p) => p.partition === end.partition)?.offset;
          return Number(end.high) === 0 || Number(at) >= Number(end.high);
        });
        return caughtUp ? true : undefined;
      },
      60000,
      'the re-delivery to finish',
    );
    await admin.disconnect();
    expect(server.output()).toMatch(/"skipped-duplicate":[1-9]/);
    expect(await snapshot()).toEqual(before);
  });
});
