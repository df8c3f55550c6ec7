/**
 * Throwaway databases and users with every role, for tests that must not touch the shared ones
 * (a rebuild swaps tables; set-up rewrites grants). Dropped again by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import mariadb from 'mariadb';
import { readDatabaseNames, readDbConfig, type DbRole } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';
import { ROLES } from '../../infra/mariadb/users.js';
import { setUpDatabases } from '../../infra/stack.js';

export interface IsolatedDatabases {
  env: NodeJS.ProcessEnv;
  pool(role: Exclude<DbRole, 'admin'>): Pool;
  drop(): Promise<void>;
}

export async function isolatedDatabases(prefix: string): Promise<IsolatedDatabases> {
  const suffix = randomBytes(4).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COMMANDS_DB: `${prefix}_${suffix}_commands`,
    QUERIES_DB: `${prefix}_${suffix}_queries`,
  };
  for (const role of ROLES) env[`${role.toUpperCase()}_DB_USER`] = `${prefix}_${suffix}_${role}`;
  const log = console.log;
  console.log = () => undefined;
  try {
    await setUpDatabases(env);
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
      const admin = readDbConfig(env, 'admin');
      const conn = await mariadb.createConnection({
        host: admin.host,
        port: admin.port,
        user: admin.user,
        password: admin.password,
      });
      try {
        const names = readDatabaseNames(env);
        await conn.query(`DROP DATABASE IF EXISTS \`${names.commands}\``);
        await conn.query(`DROP DATABASE IF EXISTS \`${names.queries}\``);
        for (const role of ROLES) {
          await conn.query('DROP USER IF EXISTS ?@?', [
            env[`${role.toUpperCase()}_DB_USER`],
            env.MARIADB_USER_HOST ?? '%',
          ]);
        }
      } finally {
        await conn.end();
      }
    },
  };
}
