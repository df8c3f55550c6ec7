/**
 * Throwaway databases and users with every role, for tests that must not touch the shared ones
 * (a rebuild swaps tables; set-up rewrites grants). Dropped again by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import mariadb from 'mariadb';
import { readDbConfig, type AppRole, type DbRole } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';
import { ROLES } from '../../infra/mariadb/users.js';
import { setUpDatabases } from '../../infra/stack.js';
import { registry } from '../fixtures/registry.js';

export interface IsolatedDatabases {
  env: NodeJS.ProcessEnv;
  pool(role: Exclude<DbRole, 'admin'>): Pool;
  drop(): Promise<void>;
}

/** Unique database and user names for every role, as environment variables. */
export type ThrowawayNames = { COMMANDS_DB: string; QUERIES_DB: string } & Record<
  `${Uppercase<AppRole>}_DB_USER`,
  string
>;

const userVariable = (role: AppRole) => `${role.toUpperCase() as Uppercase<AppRole>}_DB_USER` as const;

export function throwawayNames(prefix: string): ThrowawayNames {
  const suffix = randomBytes(4).toString('hex');
  const users = Object.fromEntries(ROLES.map((role) => [userVariable(role), `${prefix}_${suffix}_${role}`]));
  return {
    COMMANDS_DB: `${prefix}_${suffix}_commands`,
    QUERIES_DB: `${prefix}_${suffix}_queries`,
    ...users,
  } as ThrowawayNames;
}

/** The user names of a ThrowawayNames, one per role. */
export const throwawayUsers = (names: ThrowawayNames): string[] =>
  ROLES.map((role) => names[userVariable(role)]);

export async function isolatedDatabases(prefix: string): Promise<IsolatedDatabases> {
  const names = throwawayNames(prefix);
  const env: NodeJS.ProcessEnv = { ...process.env, ...names };
  const log = console.log;
  console.log = () => undefined;
  try {
    await setUpDatabases(env, registry);
  } finally {
    console.log = log;
  }
  const pools = new Map<string, Pool>();
  return {
    env,
    /** One pool per role, made on first use. */
    pool(role) {
      let p = pools.get(role);
      if (!p) {
        p = createPool({ ...readDbConfig(env, role), connectionLimit: 6 });
        pools.set(role, p);
      }
      return p;
    },
    async drop() {
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => undefined)));
      await dropThrowaway(names, env);
    },
  };
}

/** Drops the databases and users of a ThrowawayNames (admin login from `env`). */
export async function dropThrowaway(
  names: ThrowawayNames,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const admin = readDbConfig(env, 'admin');
  const conn = await mariadb.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
  });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${names.COMMANDS_DB}\``);
    await conn.query(`DROP DATABASE IF EXISTS \`${names.QUERIES_DB}\``);
    for (const user of throwawayUsers(names)) {
      await conn.query('DROP USER IF EXISTS ?@?', [user, env.MARIADB_USER_HOST ?? '%']);
    }
  } finally {
    await conn.end();
  }
}
