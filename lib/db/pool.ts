/**
 * Connection pools, one per database role, created on first use and kept for the life of the
 * process (a Lambda container reuses them across invocations).
 */
import mariadb, { type Pool, type PoolConfig, type PoolConnection } from 'mariadb';
import { config, type AppRole, type DbConfig, type DbRole } from '../config.js';
import { withDbSecret } from '../secrets.js';

export type { Pool, PoolConnection };

const pools = new Map<string, Pool>();

/**
 * Every connection's SQL mode, whatever the server's default: a value a column cannot hold is an
 * error, never silently truncated or zeroed (a truncated id could overwrite another user's row).
 */
export const STRICT_SQL_MODE =
  'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

/** A pool for explicit settings (tests, infra). */
export function createPool(cfg: DbConfig, extra: Partial<PoolConfig> = {}): Pool {
  return mariadb.createPool({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    connectionLimit: cfg.connectionLimit,
    // Open connections as they are needed, not connectionLimit of them up front: a Lambda
    // container serves one request at a time, and the server's connections are shared.
    minimumIdle: 1,
    ssl: cfg.ssl ? { rejectUnauthorized: true } : undefined,
    acquireTimeout: 10000,
    connectTimeout: 5000,
    idleTimeout: 60,
    insertIdAsNumber: true,
    bigIntAsNumber: true,
    decimalAsNumber: true,
    dateStrings: true,
    timezone: 'Z',
    sessionVariables: { sql_mode: STRICT_SQL_MODE },
    // The connector puts a failed statement's parameters in its error message by default: they
    // hold names (write and read models) and keys, and error messages reach logs and dead letters.
    logParam: false,
    // An append sends its transaction as one multi-statement packet (transaction-statements.ts). Every
    // value is bound by the connector (parameterized SQL only, identifiers are constants or
    // checked), so no input can add a statement.
    multipleStatements: true,
    ...extra,
  });
}

/** The shared pool of one role, configured from the environment. */
export function pool(role: DbRole): Pool {
  let existing = pools.get(role);
  if (!existing) {
    existing = createPool(withDbSecret(config.db(role)));
    pools.set(role, existing);
  }
  return existing;
}

/** The shared pool of one role on the write database's key table (config.keyStoreDb). */
export function keyStorePool(role: AppRole): Pool {
  let existing = pools.get(`keys:${role}`);
  if (!existing) {
    existing = createPool(withDbSecret(config.keyStoreDb(role)));
    pools.set(`keys:${role}`, existing);
  }
  return existing;
}

/** Closes every shared pool (tests and graceful shutdown). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => undefined)));
}

/** Runs `work` in a transaction on a connection from `p`; commits on success, rolls back on error. */
export async function inTransaction<T>(p: Pool, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await p.getConnection();
  try {
    await conn.beginTransaction();
    try {
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    await conn.release();
  }
}
