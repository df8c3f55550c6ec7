import mariadb from 'mariadb';
import { readDatabaseNames, readDbConfig, readKafkaConfig, type KafkaConfig } from '../lib/config.js';
import { createAdmin } from '../lib/kafka/client.js';
import { consumerLag, type ConsumerLag } from '../lib/ops/lag.js';
import { brokerAnswers, brokerPid, brokerSettings, startBroker, stopBroker } from './kafka/broker.js';
import { ensureKafkaJars } from './kafka/jars.js';
import { ensureTopics, listTopics, type TopicInfo } from './kafka/topics.js';
import { migrate, migrationLevel } from './mariadb/migrate.js';
import { ensureMariaDb, stopPrivateMariaDb } from './mariadb/server.js';
import { ensureUsers } from './mariadb/users.js';
import { progress } from './progress.js';

/** Connects as the admin user (migrations and grants need it). */
async function adminConnection(env = process.env) {
  const admin = readDbConfig(env, 'admin');
  return mariadb.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    multipleStatements: true,
    connectTimeout: 5000,
  });
}

/** Databases, migrations and users; safe to run any number of times. */
export async function setUpDatabases(env = process.env): Promise<void> {
  const names = readDatabaseNames(env);
  const conn = await adminConnection(env);
  try {
    for (const [schema, database] of [
      ['commands', names.commands],
      ['queries', names.queries],
    ] as const) {
      const applied = await migrate(conn, schema, database);
      if (applied === 0) progress.ok(`${database}: migrations up to date`);
    }
    await ensureUsers(conn, names, env);
  } finally {
    await conn.end();
  }
}

/** Brings up everything the functions need. Idempotent: a second run only checks. */
export async function up(env = process.env): Promise<void> {
  const kafka = readKafkaConfig(env);
  await ensureMariaDb(readDbConfig(env, 'admin'));
  await setUpDatabases(env);
  await ensureKafkaJars();
  await startBroker(kafka, brokerSettings(env));
  await ensureTopics(kafka);
}

/** Stops what this project started (the broker, a private MariaDB); a shared MariaDB keeps running. */
export async function down(): Promise<void> {
  const broker = await stopBroker();
  const db = await stopPrivateMariaDb();
  if (!broker && !db) progress.ok('Nothing of ours was running');
}

export interface StackStatus {
  broker: { running: boolean; pid: number | undefined; address: string; topics: TopicInfo[] };
  databases: Array<{ name: string; migrationLevel: number | undefined }>;
  mariadb: { reachable: boolean; error?: string };
  /** Events committed but not yet on Kafka. */
  outboxBacklog?: number;
  /** Events on Kafka the projection's consumer group has not yet committed past. */
  projectionLag?: ConsumerLag;
}

async function projectionLag(kafka: KafkaConfig): Promise<ConsumerLag | undefined> {
  const admin = await createAdmin(kafka, { quiet: true });
  try {
    await admin.connect();
    return await consumerLag(admin, kafka.consumerGroup, kafka.topic);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function status(env = process.env): Promise<StackStatus> {
  const kafka = readKafkaConfig(env);
  const settings = brokerSettings(env);
  const pid = await brokerPid();
  const running = await brokerAnswers(kafka);
  const topics = running ? await listTopics(kafka) : [];
  const lag = running && topics.some((t) => t.topic === kafka.topic) ? await projectionLag(kafka) : undefined;
  const names = readDatabaseNames(env);
  const result: StackStatus = {
    broker: { running, pid, address: `${settings.host}:${settings.port}`, topics },
    databases: [],
    mariadb: { reachable: false },
    projectionLag: lag,
  };
  try {
    const conn = await adminConnection(env);
    try {
      result.mariadb.reachable = true;
      for (const name of [names.commands, names.queries]) {
        result.databases.push({ name, migrationLevel: await migrationLevel(conn, name) });
      }
      if (result.databases[0]?.migrationLevel !== undefined) {
        const [row] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${names.commands}\`.outbox`)) as Array<{
          n: number;
        }>;
        result.outboxBacklog = Number(row?.n ?? 0);
      }
    } finally {
      await conn.end();
    }
  } catch (error) {
    result.mariadb.error = (error as Error).message;
  }
  return result;
}
