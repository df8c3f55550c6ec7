import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Connection } from 'mariadb';
import type { Registry } from '../../lib/aggregate/registry.js';
import { paths } from '../paths.js';
import { InfraError, progress } from '../progress.js';

export type Schema = 'commands' | 'queries';

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The folders holding migration files: the core's, then each aggregate's (definition.migrations). */
function migrationFolders(registry: Registry): Array<{ source: string; dir: string }> {
  return [
    { source: 'the core', dir: paths.migrations },
    ...registry.aggregates.flatMap((a) =>
      a.migrations
        ? [{ source: `aggregate "${a.name}"`, dir: path.resolve(paths.projectRoot, a.migrations) }]
        : [],
    ),
  ];
}

async function filesOf(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The migration files of one schema from every source, in version order (`NNN_name.sql`). The
 * sources share one sequence per schema: two files with one number are refused.
 */
export async function loadMigrations(schema: Schema, registry: Registry): Promise<Migration[]> {
  const found: Array<Migration & { source: string }> = [];
  for (const { source, dir } of migrationFolders(registry)) {
    for (const file of await filesOf(path.join(dir, schema))) {
      const sql = await readFile(path.join(dir, schema, file), 'utf8');
      found.push({
        source,
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      });
    }
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    const [a, b] = [found[i - 1]!, found[i]!];
    if (a.version === b.version) {
      throw new InfraError(
        `Two ${schema} migrations have number ${String(a.version).padStart(3, '0')}: ${a.name} (${a.source}) and ${b.name} (${b.source}).`,
        'Renumber the newer one to the next free number: migrations of every source share one sequence.',
      );
    }
  }
  return found.map(({ source: _source, ...migration }) => migration);
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

async function appliedVersions(conn: Connection, database: string): Promise<Map<number, string>> {
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
export async function migrate(
  conn: Connection,
  schema: Schema,
  database: string,
  registry: Registry,
): Promise<number> {
  const [lock] = (await conn.query('SELECT GET_LOCK(?, 60) AS got', [`cqrs_migrate_${database}`])) as Array<{
    got: number;
  }>;
  if (Number(lock?.got) !== 1)
    throw new InfraError(`Another migration of ${database} holds the lock.`, 'Retry.');
  try {
    await ensureLedger(conn, database);
    const applied = await appliedVersions(conn, database);
    const migrations = await loadMigrations(schema, registry);
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
