/**
 * Once per deploy, inside the VPC: migrations of both databases, one user per role with the
 * password of its secret, and the Kafka topic (created over IAM auth). Every step is idempotent,
 * so `npm run deploy` runs it after each deploy.
 */
import mariadb from 'mariadb';
import { registry } from '../../aggregates/index.js';
import { readDatabaseNames, readDbConfig, readKafkaConfig, type DbRole } from '../../lib/config.js';
import { withDbSecret } from '../../lib/secrets.js';
import { ensureTopics } from '../kafka/topics.js';
import { migrate } from '../mariadb/migrate.js';
import { ensureUsers, ROLES } from '../mariadb/users.js';

type Env = Record<string, string | undefined>;

export interface ProvisionSummary {
  migrationsApplied: Record<string, number>;
  users: string[];
  topic: { name: string; partitions: number; replicationFactor: number };
}

/** The environment `ensureUsers` reads, with each role's user and password taken from its secret. */
function roleCredentialsEnv(env: Env): Env {
  const out: Env = { ...env };
  for (const role of ROLES as DbRole[]) {
    const { user, password } = withDbSecret(readDbConfig(env, role));
    const prefix = role.toUpperCase();
    out[`${prefix}_DB_USER`] = user;
    out[`${prefix}_DB_PASSWORD`] = password;
  }
  return out;
}

/** Runs every provisioning step against the configured database and cluster. */
export async function provision(env: Env = process.env): Promise<ProvisionSummary> {
  const names = readDatabaseNames(env);
  const admin = withDbSecret(readDbConfig(env, 'admin'));
  const credentials = roleCredentialsEnv(env);
  const conn = await mariadb.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    ssl: admin.ssl ? { rejectUnauthorized: true } : undefined,
    multipleStatements: true,
    connectTimeout: 10000,
  });
  const migrationsApplied: Record<string, number> = {};
  try {
    migrationsApplied[names.commands] = await migrate(conn, 'commands', names.commands, registry);
    migrationsApplied[names.queries] = await migrate(conn, 'queries', names.queries, registry);
    await ensureUsers(conn, names, registry, credentials);
  } finally {
    await conn.end();
  }
  const kafka = readKafkaConfig(env);
  await ensureTopics(kafka);
  return {
    migrationsApplied,
    users: ROLES.map((role) => String(credentials[`${role.toUpperCase()}_DB_USER`])),
    topic: { name: kafka.topic, partitions: kafka.partitions, replicationFactor: kafka.replicationFactor },
  };
}
