/**
 * The deploy bundles themselves, each imported in a fresh Node process from its unzipped package as
 * Lambda would, against the real MariaDB and Kafka (fresh databases, users and topic of their own):
 * the provisioning zip migrates, creates the users and the topic, twice without harm; the command
 * bundle appends and publishes; the projection bundle applies the published record; the query
 * bundle reads it back. Names in several scripts and an emoji cross the trimmed (utf8-only) connector.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import mariadb from 'mariadb';
import { readDbConfig } from '../../lib/config.js';
import { createAdmin, createConsumer } from '../../lib/kafka/client.js';
import { ROLES } from '../../infra/mariadb/users.js';
import { buildKafkaEvent } from '../../plugins/serverless-offline-kafka/kafka-event.js';
import { apiEvent, type RequestSpec } from '../support/apigw.js';
import { packageAws, type AwsPackage } from '../support/aws-package.js';
import { kafkaConfig } from '../support/env.js';

const run = promisify(execFile);
const RUNNER = path.resolve('test/support/invoke-bundle.mjs');
const NAME = 'Zoë Łódź 東京 Ώρα 🚀';

const suffix = randomBytes(4).toString('hex');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CQRS_ENV: 'local',
  COMMANDS_DB: `bundle_${suffix}_commands`,
  QUERIES_DB: `bundle_${suffix}_queries`,
  KAFKA_TOPIC: `bundle-${suffix}-events`,
  KAFKA_TOPIC_REPLICATION: '1',
  MIGRATIONS_DIR: 'infra/mariadb/migrations',
  LOG_LEVEL: 'error',
  // Each bundle runs in its own folder: one absolute master key file, a throwaway one, for all.
  PERSONAL_DATA_MASTER_KEY_FILE: path.join(os.tmpdir(), `bundle-${suffix}-master.key`),
};
for (const role of ROLES) env[`${role.toUpperCase()}_DB_USER`] = `bundle_${suffix}_${role}`;
const topic = env.KAFKA_TOPIC!;

let pkg: AwsPackage;
let scratch: string;

beforeAll(async () => {
  pkg = await packageAws();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'bundle-invoke-'));
}, 180000);

afterAll(async () => {
  await rm(env.PERSONAL_DATA_MASTER_KEY_FILE!, { force: true });
  await pkg?.remove();
  await rm(scratch, { recursive: true, force: true });
  const admin = readDbConfig(process.env, 'admin');
  const conn = await mariadb.createConnection({ ...admin, database: undefined });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${env.COMMANDS_DB}\``);
    await conn.query(`DROP DATABASE IF EXISTS \`${env.QUERIES_DB}\``);
    for (const role of ROLES)
      await conn.query('DROP USER IF EXISTS ?@?', [env[`${role.toUpperCase()}_DB_USER`], '%']);
  } finally {
    await conn.end();
  }
  const kafka = await createAdmin(kafkaConfig, { quiet: true });
  await kafka.connect();
  await kafka.deleteTopics([topic]).catch(() => undefined);
  await kafka.disconnect();
});

/** Runs one function's bundle from its unzipped package, with the package folder as working directory. */
async function invoke<T>(fn: string, event: unknown): Promise<T> {
  const output = path.join(scratch, `${fn}-${randomUUID()}.json`);
  await run(process.execPath, [RUNNER, pkg.bundlePath(fn), JSON.stringify(event), output], {
    cwd: pkg.unzipped(fn),
    env,
    timeout: 60000,
  });
  const answer = JSON.parse(await readFile(output, 'utf8')) as { result?: T; error?: { message: string } };
  if (answer.error) throw new Error(`${fn} bundle failed: ${answer.error.message}`);
  return answer.result as T;
}

async function http(fn: 'command' | 'query', spec: RequestSpec) {
  const response = await invoke<APIGatewayProxyStructuredResultV2>(fn, apiEvent(spec));
  return { status: response.statusCode, body: JSON.parse(String(response.body)) as Record<string, unknown> };
}

/** The first message on our topic, as the Kafka event source hands it over. */
async function firstRecord() {
  const consumer = await createConsumer(
    { ...kafkaConfig, topic },
    { groupId: `bundle-${suffix}-reader` },
    { quiet: true },
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const record = await new Promise<Parameters<typeof buildKafkaEvent>[1][number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message on the topic')), 20000);
    void consumer.run({
      eachMessage: async (message) => {
        clearTimeout(timer);
        resolve(message);
      },
    });
  });
  await consumer.disconnect();
  return record;
}

describe('deploy bundles on the real MariaDB and Kafka', () => {
  let userId: string;

  test('the provisioning zip migrates both databases, creates the role users and the topic, and can run again', async () => {
    const first = await invoke<{ migrationsApplied: Record<string, number>; users: string[] }>(
      'provision',
      {},
    );
    expect(first.migrationsApplied[env.COMMANDS_DB!]).toBeGreaterThan(0);
    expect(first.migrationsApplied[env.QUERIES_DB!]).toBeGreaterThan(0);
    expect(first.users).toEqual(ROLES.map((role) => `bundle_${suffix}_${role}`));
    const again = await invoke<{ migrationsApplied: Record<string, number> }>('provision', {});
    expect(Object.values(again.migrationsApplied)).toEqual([0, 0]);
    const admin = await createAdmin(kafkaConfig, { quiet: true });
    await admin.connect();
    const topics = await admin.describeTopics([topic]);
    await admin.disconnect();
    expect(topics[0]?.partitions).toBe(3);
  });

  test('the command bundle registers a user and publishes the event', async () => {
    const created = await http('command', { method: 'POST', path: '/users', body: { name: NAME } });
    expect(created).toMatchObject({ status: 201, body: { version: 1 } });
    userId = String(created.body.id);
  });

  test('the projection bundle applies the published record and the query bundle reads it back', async () => {
    const record = await firstRecord();
    expect(record.key?.toString()).toBe(userId);
    const event = buildKafkaEvent(
      { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local', bootstrapServers: 'local:9098' },
      [record],
    );
    expect(await invoke('projection', event)).toMatchObject({ records: 1, applied: 1 });
    const read = await http('query', {
      method: 'GET',
      path: `/users/${userId}`,
      routeKey: 'GET /users/{id}',
      pathParameters: { id: userId },
    });
    expect(read).toMatchObject({ status: 200, body: { id: userId, name: NAME, version: 1 } });
    const list = await http('query', { method: 'GET', path: '/users', query: { name: 'Zoë' } });
    expect(list.body.items).toEqual([expect.objectContaining({ id: userId, name: NAME })]);
  });
});
