import type { Connection } from 'mariadb';
import type { AggregateDefinition } from '../../lib/aggregate/definition.js';
import type { Registry } from '../../lib/aggregate/registry.js';
import { APP_ROLES, readDbConfig, type AppRole, type DatabaseNames } from '../../lib/config.js';
import { progress } from '../progress.js';

/** A privilege on one table (or `*`) of the commands or the queries database. */
export interface Grant {
  privileges: string;
  schema: keyof DatabaseNames;
  table: string;
}

/** What each role gets on the core's tables. */
export function coreGrants(role: AppRole): Grant[] {
  const c = (privileges: string, table: string): Grant => ({ privileges, schema: 'commands', table });
  const q = (privileges: string, table: string): Grant => ({ privileges, schema: 'queries', table });
  switch (role) {
    case 'command':
      return [
        c('SELECT, INSERT', 'events'),
        c('SELECT, INSERT, DELETE', 'outbox'),
        // DELETE: an expired key of the same caller is replaced by the new request's.
        c('SELECT, INSERT, DELETE', 'idempotency_keys'),
        // Data keys: made for a stream's first personal field, tombstoned (UPDATE) on erasure.
        c('SELECT, INSERT, UPDATE', 'personal_data_keys'),
      ];
    case 'relay':
      // outbox_backlog: the relay reports the outbox's size and oldest age as metrics.
      return [c('SELECT', 'events'), c('SELECT, UPDATE, DELETE', 'outbox'), c('SELECT', 'outbox_backlog')];
    case 'projection':
      // The data keys, read only, to open personal fields before applying them.
      return [q('SELECT, INSERT, UPDATE, DELETE', '*'), c('SELECT', 'personal_data_keys')];
    case 'query':
      return [];
    case 'operator':
      // UPDATE of events.data only: npm run encrypt-history, the one sanctioned rewrite of stored
      // events (docs/personal-data.md); the data keys to open events in a rebuild or redrive.
      return [
        c('SELECT, UPDATE (data)', 'events'),
        c('SELECT, INSERT', 'personal_data_keys'),
        q('SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER', '*'),
      ];
    case 'ops':
      // Views of counts and ages only (commands 004, queries 005): no event, row or payload.
      return [c('SELECT', 'outbox_backlog'), q('SELECT', 'projection_backlog')];
    case 'janitor':
      return [c('SELECT, DELETE', 'idempotency_keys')];
  }
}

/** What each role gets on an aggregate's tables: the command role writes its write model, the query role reads its read model. */
export function aggregateGrants(role: AppRole, aggregate: AggregateDefinition): Grant[] {
  switch (role) {
    case 'command':
      return aggregate.writeModel
        ? [{ privileges: 'SELECT, INSERT, UPDATE', schema: 'commands', table: aggregate.writeModel.table }]
        : [];
    case 'query':
      return [{ privileges: 'SELECT', schema: 'queries', table: aggregate.readModel.table }];
    case 'operator':
      // The console shows a stream's write-side row beside its events and read-model row.
      return aggregate.writeModel
        ? [{ privileges: 'SELECT', schema: 'commands', table: aggregate.writeModel.table }]
        : [];
    default:
      return [];
  }
}

/** Which privileges each role gets, on which table; nothing else is granted. */
function grantsFor(
  role: AppRole,
  db: DatabaseNames,
  registry: Registry,
): Array<{ privileges: string; on: string }> {
  return [...coreGrants(role), ...registry.aggregates.flatMap((a) => aggregateGrants(role, a))].map((g) => ({
    privileges: g.privileges,
    on: `\`${db[g.schema]}\`.${g.table}`,
  }));
}

export const ROLES: readonly AppRole[] = APP_ROLES;

/** A SHOW GRANTS line without quoting or password hash, so two lists compare as sets. */
function normaliseGrant(line: string): string {
  return line
    .replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '')
    .replace(/`/g, '')
    .trim();
}

async function grantsMatch(
  conn: Connection,
  role: AppRole,
  db: DatabaseNames,
  registry: Registry,
  user: string,
  host: string,
): Promise<boolean> {
  const rows = (await conn.query('SHOW GRANTS FOR ?@?', [user, host])) as Array<Record<string, unknown>>;
  const current = new Set(rows.map((row) => normaliseGrant(String(Object.values(row)[0]))));
  const expected = new Set([
    `GRANT USAGE ON *.* TO ${user}@${host}`,
    ...grantsFor(role, db, registry).map((g) =>
      normaliseGrant(`GRANT ${g.privileges} ON ${g.on} TO ${user}@${host}`),
    ),
  ]);
  return current.size === expected.size && [...expected].every((grant) => current.has(grant));
}

/**
 * Creates (or updates) one database user per role and sets its grants to exactly the list
 * above. Grants already exactly right are left alone, so running this while the functions
 * work never opens a window without privileges; otherwise existing privileges are revoked
 * first, so a narrowed grant takes effect.
 */
export async function ensureUsers(
  conn: Connection,
  db: DatabaseNames,
  registry: Registry,
  env = process.env,
): Promise<void> {
  const host = env.MARIADB_USER_HOST ?? '%';
  for (const role of ROLES) {
    const { user, password } = readDbConfig(env, role);
    await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
    await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
    if (await grantsMatch(conn, role, db, registry, user, host)) continue;
    await conn.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [user, host]);
    for (const grant of grantsFor(role, db, registry)) {
      await conn.query(`GRANT ${grant.privileges} ON ${grant.on} TO ?@?`, [user, host]);
    }
  }
  progress.ok(`Database users ready: ${ROLES.map((r) => readDbConfig(env, r).user).join(', ')}`);
}
