import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Connection } from 'mariadb';
import { paths } from '../paths.js';
import { InfraError, progress } from '../progress.js';

export type Schema = 'commands' | 'queries';

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The migration files of one schema, in version order (`NNN_name.sql`). */
export async function loadMigrations(schema: Schema): Promise<Migration[]> {
  const dir = path.join(paths.migrations, schema);
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

/** `database` must be a checked identifier (config.ts validates it): SQL cannot take it as a parameter. */
async function ensureLedger(conn: Connection, database: string): Promise<void> {
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await conn.query(
    `CREATE TABLE IF NOT EXISTS \`${database}\`.schema_migrations (
       version INT UNSIGNED NOT NULL PRIMARY KEY,
       name VARCHAR(255) NOT NULL,
       checksum CHAR(64) NOT NULL,
       applied_at DATETIME(3) NOT NULL
     ) ENGINE=InnoDB`,
  );
}

export async function appliedVersions(conn: Connection, database: string): Promise<Map<number, string>> {
  const rows = (await conn.query(
    `SELECT version, checksum FROM \`${database}\`.schema_migrations`,
  )) as Array<{
    version: number;
    checksum: string;
  }>;
  return new Map(rows.map((r) => [Number(r.version), r.checksum]));
}

/**
 * Applies the migrations of `schema` not yet recorded in `database`.schema_migrations, in
 * order, each recorded after it succeeds. Statements use IF NOT EXISTS so a migration cut
 * short can run again. An applied migration whose file changed is an error, not a silent skip.
 * A named lock serialises concurrent runs.
 */
export async function migrate(conn: Connection, schema: Schema, database: string): Promise<number> {
  const [lock] = (await conn.query('SELECT GET_LOCK(?, 60) AS got', [`cqrs_migrate_${database}`])) as Array<{
    got: number;
  }>;
  if (Number(lock?.got) !== 1)
    throw new InfraError(`Another migration of ${database} holds the lock.`, 'Retry.');
  try {
    await ensureLedger(conn, database);
    const applied = await appliedVersions(conn, database);
    const migrations = await loadMigrations(schema);
    let count = 0;
    for (const m of migrations) {
      const recorded = applied.get(m.version);
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new InfraError(
            `Migration ${m.name} was applied to ${database} but its file has changed since.`,
            'Never edit an applied migration: restore the file and add a new migration instead.',
          );
        }
        continue;
      }
      await conn.query(`USE \`${database}\``);
      await conn.query(m.sql);
      await conn.query(
        `INSERT INTO \`${database}\`.schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, UTC_TIMESTAMP(3))`,
        [m.version, m.name, m.checksum],
      );
      progress.ok(`${database}: applied ${m.name}`);
      count++;
    }
    return count;
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [`cqrs_migrate_${database}`]);
  }
}

/** The highest applied migration of a database, or undefined when it does not exist. */
export async function migrationLevel(conn: Connection, database: string): Promise<number | undefined> {
  const exists = (await conn.query(
    'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
    [database, 'schema_migrations'],
  )) as Array<{ n: number }>;
  if (!Number(exists[0]?.n)) return undefined;
  const applied = await appliedVersions(conn, database);
  return applied.size ? Math.max(...applied.keys()) : 0;
}
