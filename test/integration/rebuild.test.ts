/**
 * Rebuilding the read model from the event store while commands keep flowing through the real
 * pipeline (command handler → Kafka → projection), on throwaway databases and topic.
 */
import { randomUUID } from 'node:crypto';
import { createCommandHandler } from '../../functions/command/handler.js';
import { createProjectionHandler } from '../../functions/projection/handler.js';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { readDatabaseNames } from '../../lib/config.js';
import { commandEventStore } from '../../lib/commands/deps.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { MariaDbOutbox } from '../../lib/outbox/mariadb.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import type { KafkaLambdaEvent } from '../../lib/projection/kafka-event.js';
import { rebuildReadModel } from '../../lib/rebuild/rebuild.js';
import { kafkaClient } from '../../plugins/serverless-offline-kafka/client.js';
import { KafkaEventSource } from '../../plugins/serverless-offline-kafka/event-source.js';
import { failurePolicy } from '../../plugins/serverless-offline-kafka/policy.js';
import { invoke } from '../support/apigw.js';
import { kafkaConfig } from '../support/env.js';
import { foldStreams, readModelRows } from '../support/fold.js';
import { keyringOn } from '../support/keyring.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';
import { eventually } from '../support/offline.js';
import { createTopic, deleteCreatedTopics } from '../support/topics.js';
import { registry } from '../fixtures/registry.js';

let dbs: IsolatedDatabases;
let source: KafkaEventSource;
let bus: KafkaEventBus;
let handler: ReturnType<typeof httpFunction>;
let topic: string;
const users: string[] = [];

beforeAll(async () => {
  dbs = await isolatedDatabases('rp');
  topic = await createTopic('rebuild', 3);

  const commandPool = dbs.pool('command');
  bus = new KafkaEventBus({ ...kafkaConfig, topic });
  handler = httpFunction(
    createCommandHandler(registry, () => ({
      store: commandEventStore(commandPool, registry, keyringOn(commandPool)),
      keyring: keyringOn(commandPool),
      bus,
      outbox: new MariaDbOutbox(commandPool),
      maxConflictRetries: 10,
      maxBodyBytes: 16384,
      publishTimeoutMs: 3000,
      now: () => new Date(),
    })),
    { maxBodyBytes: 16384, statuses: registry.statuses },
  );
  const projection = createProjectionHandler(
    () =>
      new MariaDbProjectionStore(dbs.pool('projection'), registry, undefined, {
        keyring: keyringOn(dbs.pool('command')),
      }),
  );
  source = new KafkaEventSource({
    source: {
      functionKey: 'projection',
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/test/x',
      topic,
      groupId: `rebuild-${randomUUID()}`,
      batchSize: 100,
      batchingWindowMs: 0,
      fromBeginning: true,
      policy: failurePolicy({}),
      enabled: true,
    },
    kafka: kafkaClient({ brokers: kafkaConfig.brokers, clientId: 'rebuild-test' }),
    bootstrapServers: kafkaConfig.brokers.join(','),
    invoke: (_fn, event) => projection(event as KafkaLambdaEvent),
    log: { notice: () => undefined, warning: () => undefined, error: console.error },
  });
  await source.start();

  for (let i = 0; i < 40; i += 10) {
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        invoke(handler, { method: 'POST', path: '/users', body: { name: `R${i + j}` } }),
      ),
    );
    users.push(...created.map((r) => r.body.id as string));
  }
  await traffic(120);
}, 60000);

afterAll(async () => {
  await source?.stop();
  await bus?.close();
  await dbs?.drop();
  await deleteCreatedTopics();
});

/** `count` renames spread over the users, 8 at a time. */
async function traffic(count: number): Promise<void> {
  for (let i = 0; i < count; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, (_, j) => {
        const id = users[(i + j * 7) % users.length]!;
        return invoke(handler, {
          method: 'PUT',
          path: `/users/${id}/name`,
          pathParameters: { id },
          body: { name: `n${i + j}` },
        });
      }),
    );
  }
}

async function readModelEqualsFold(): Promise<boolean | undefined> {
  const expected = await foldStreams(dbs.pool('command'), users);
  const actual = await readModelRows(dbs.pool('operator'), users);
  return users.every((id) => JSON.stringify(actual.get(id)) === JSON.stringify(expected.get(id)))
    ? true
    : undefined;
}

describe('read-model rebuild', () => {
  it('rebuilt under concurrent commands and swapped in, the read model equals the fold of the event store', async () => {
    const names = readDatabaseNames(dbs.env);
    const [rebuild] = await Promise.all([
      rebuildReadModel(dbs.pool('operator'), registry, names, {
        keyring: keyringOn(dbs.pool('command')),
        chunkSize: 5,
      }),
      traffic(160),
    ]);
    expect(rebuild.outcome).toBe('swapped');
    await eventually(readModelEqualsFold, 30000, 'the read model to equal the fold');
    const tables = (await dbs.pool('operator').query('SHOW TABLES')) as Array<Record<string, string>>;
    expect(tables.map((t) => Object.values(t)[0])).not.toContain('USER_DATA_rebuild');
  });

  it('an interrupted rebuild resumes from its checkpoint and still ends equal to the fold', async () => {
    const names = readDatabaseNames(dbs.env);
    const stop = new AbortController();
    const first = await rebuildReadModel(dbs.pool('operator'), registry, names, {
      keyring: keyringOn(dbs.pool('command')),
      chunkSize: 50,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    expect(first.outcome).toBe('interrupted');
    const checkpoint = first.outcome === 'interrupted' ? first.checkpoint : -1;
    expect(checkpoint).toBeGreaterThan(0);

    const second = await rebuildReadModel(dbs.pool('operator'), registry, names, {
      keyring: keyringOn(dbs.pool('command')),
      chunkSize: 50,
    });
    expect(second).toMatchObject({ outcome: 'swapped', runId: first.runId, resumedFrom: checkpoint });
    await eventually(readModelEqualsFold, 30000, 'the read model to equal the fold');
  });
});
