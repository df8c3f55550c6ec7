/**
 * The benchmark's own corner of the local stack: its own databases and database users (so
 * set-up never touches the grants of the shared `cqrs_*` users), its own topic and consumer
 * groups. Everything is created at the start of a run and removed at its end.
 */
import { randomBytes } from 'node:crypto';
import mariadb, { type Connection } from 'mariadb';
import { readDatabaseNames, readDbConfig, readKafkaConfig } from '../../lib/config.js';
import { createAdmin } from '../../lib/kafka/client.js';
import { ROLES } from '../../infra/mariadb/users.js';
import { ensureTopics } from '../../infra/kafka/topics.js';
import { setUpDatabases } from '../../infra/stack.js';

const prefix = process.env.BENCH_PREFIX ?? 'bench';
const runId = randomBytes(3).toString('hex');

/**
 * A topic per suite, so no suite consumes what another produced: the commands suite's thousands of
 * events, or ProducerPerformance's random bytes, never reach the projection whose freshness is
 * measured. `pipeline` is KAFKA_TOPIC, the one `sls offline` runs on.
 */
export const benchTopics = {
  pipeline: `${prefix}-pipeline-${runId}`,
  commands: `${prefix}-commands-${runId}`,
  producer: `${prefix}-producer-${runId}`,
  inProcess: `${prefix}-in-process-${runId}`,
};

/** The environment every part of the benchmark runs with (applied to process.env by `enter`). */
export const benchEnv: Record<string, string> = {
  COMMANDS_DB: `${prefix}_commands`,
  QUERIES_DB: `${prefix}_queries`,
  KAFKA_TOPIC: benchTopics.pipeline,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  ...Object.fromEntries(ROLES.map((role) => [`${role.toUpperCase()}_DB_USER`, `${prefix}_${role}`])),
};

export const consumerGroup = (name: string) => `${prefix}-${name}-${runId}`;

/** Applies the benchmark environment to this process; call before anything reads config. */
export function enter(): void {
  Object.assign(process.env, benchEnv);
}

export async function adminConnection(database?: string): Promise<Connection> {
  const admin = readDbConfig(process.env, 'admin');
  return mariadb.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    database,
    insertIdAsNumber: true,
    bigIntAsNumber: true,
  });
}

async function dropDatabases(conn: Connection): Promise<void> {
  const names = readDatabaseNames(process.env);
  await conn.query(`DROP DATABASE IF EXISTS \`${names.commands}\``);
  await conn.query(`DROP DATABASE IF EXISTS \`${names.queries}\``);
}

/** Fresh databases (migrated, with the benchmark's users) and a fresh topic. */
export async function setUp(): Promise<void> {
  const conn = await adminConnection();
  try {
    await dropDatabases(conn);
  } finally {
    await conn.end();
  }
  const quiet = console.log;
  console.log = () => undefined;
  try {
    await setUpDatabases(process.env);
    for (const topic of Object.values(benchTopics))
      await ensureTopics({ ...readKafkaConfig(process.env), topic });
  } finally {
    console.log = quiet;
  }
}

/** Drops the benchmark's databases, users and topic. */
export async function tearDown(): Promise<void> {
  const conn = await adminConnection();
  try {
    await dropDatabases(conn);
    for (const role of ROLES) {
      await conn.query('DROP USER IF EXISTS ?@?', [
        process.env[`${role.toUpperCase()}_DB_USER`],
        process.env.MARIADB_USER_HOST ?? '%',
      ]);
    }
  } finally {
    await conn.end();
  }
  const admin = await createAdmin(readKafkaConfig(process.env), { quiet: true });
  await admin.connect();
  try {
    await admin.deleteTopics(Object.values(benchTopics));
  } finally {
    await admin.disconnect();
  }
}
