import mariadb from 'mariadb';
import { registry as productRegistry } from '../aggregates/index.js';
import type { Registry } from '../lib/aggregate/registry.js';
import { readDatabaseNames, readDbConfig, readKafkaConfig, type KafkaConfig } from '../lib/config.js';
import { createAdmin } from '../lib/kafka/client.js';
import {
  outboxBacklog,
  readModelBacklog,
  type OutboxBacklog,
  type ReadModelBacklog,
} from '../lib/ops/backlog.js';
import { consumerLag, type ConsumerLag } from '../lib/ops/lag.js';
import { brokerAnswers, brokerPid, brokerSettings, startBroker, stopBroker } from './kafka/broker.js';
import { ensureKafkaJars } from './kafka/jars.js';
import { ensureTopics, listTopics, type TopicInfo } from './kafka/topics.js';
import { migrate, migrationLevel } from './mariadb/migrate.js';
import { ensureMariaDb, stopPrivateMariaDb } from './mariadb/server.js';
import { ensureUsers } from './mariadb/users.js';
import {
  allLeases,
  liveLeases,
  removeLease,
  removePinnedLeases,
  withStackLock,
  writeLease,
  type Lease,
} from './leases.js';
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

/** Databases, migrations and users for the registry's aggregates; safe to run any number of times. */
export async function setUpDatabases(env = process.env, registry: Registry = productRegistry): Promise<void> {
  const names = readDatabaseNames(env);
  const conn = await adminConnection(env);
  try {
    for (const [schema, database] of [
      ['commands', names.commands],
      ['queries', names.queries],
    ] as const) {
      const applied = await migrate(conn, schema, database, registry);
      if (applied === 0) progress.ok(`${database}: migrations up to date`);
    }
    await ensureUsers(conn, names, registry, env);
  } finally {
    await conn.end();
  }
}

/** The services any user of the stack needs running: the database server and the broker. */
async function ensureServices(env = process.env): Promise<void> {
  await ensureMariaDb(readDbConfig(env, 'admin'));
  await ensureKafkaJars();
  await startBroker(readKafkaConfig(env), brokerSettings(env));
}

/** The configured databases (migrated, with their users) and topic on running services. */
export async function setUpData(env = process.env, registry: Registry = productRegistry): Promise<void> {
  await setUpDatabases(env, registry);
  await ensureTopics(readKafkaConfig(env));
}

/** Stops what this project started (the broker, a private MariaDB); a shared MariaDB keeps running. */
async function stopServices(): Promise<void> {
  const broker = await stopBroker();
  const db = await stopPrivateMariaDb();
  if (!broker && !db) progress.ok('Nothing of ours was running');
}

const describeLease = (lease: Lease) => `${lease.owner}${lease.process ? ` (pid ${lease.process.pid})` : ''}`;

export interface StackLease {
  /** Returns the lease; the services stop if no other lease is left. */
  release(): Promise<void>;
}

/**
 * Starts the services unless they run, and holds a lease on them for `owner` (infra/leases.ts)
 * until `release()`, or, `pinned`, until `npm run infra:down`.
 */
export async function acquireStack(
  owner: string,
  env = process.env,
  { pinned = false } = {},
): Promise<StackLease> {
  const lease = await withStackLock(async () => {
    // A broker running without any lease on file, live or dead, was started some other way (an
    // older `infra:up`): it was found running, so it is left running. One whose leases all died
    // (its holders were killed) is an orphan, stopped when the last new lease is returned.
    if ((await brokerPid()) !== undefined && (await allLeases()).length === 0) {
      await writeLease('found running', { pinned: true });
    }
    await ensureServices(env);
    return writeLease(owner, { pinned });
  });
  return {
    release: () =>
      withStackLock(async () => {
        await removeLease(lease);
        const others = await liveLeases();
        if (others.length) progress.ok(`Stack left running for ${others.map(describeLease).join(', ')}`);
        else await stopServices();
      }),
  };
}

/** `npm run infra:up`: the services, the configured databases and topic, kept up until `infra:down`. */
export async function up(env = process.env): Promise<void> {
  await acquireStack('infra:up', env, { pinned: true });
  await setUpData(env);
}

/**
 * `npm run infra:down`: takes back `infra:up`'s lease and stops the services, unless a running
 * `npm start`, `npm test` or benchmark still holds a lease (then they stop the stack when they
 * end); `force` stops it anyway.
 */
export async function down({ force = false } = {}): Promise<void> {
  await withStackLock(async () => {
    await removePinnedLeases();
    const others = await liveLeases();
    if (others.length && !force) {
      progress.warn(
        `The stack stays up: ${others.map(describeLease).join(', ')} still use it and stop it when they end ` +
          '(`npm run infra:down -- --force` stops it now).',
      );
      return;
    }
    for (const lease of others) await removeLease(lease);
    await stopServices();
  });
}

export interface StackStatus {
  broker: { running: boolean; pid: number | undefined; address: string; topics: TopicInfo[] };
  databases: Array<{ name: string; migrationLevel: number | undefined }>;
  mariadb: { reachable: boolean; error?: string };
  /** Events committed but not yet on Kafka, and how long the oldest has waited (as GET /health and the alarms). */
  outbox?: OutboxBacklog;
  /** Events parked behind a gap and dead letters not redriven (as GET /health and the alarms). */
  readModel?: ReadModelBacklog;
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
        result.outbox = await outboxBacklog(conn, names);
      }
      if (result.databases[1]?.migrationLevel !== undefined)
        result.readModel = await readModelBacklog(conn, names);
    } finally {
      await conn.end();
    }
  } catch (error) {
    result.mariadb.error = (error as Error).message;
  }
  return result;
}
