import type { Connection } from 'mariadb';
import type { Registry } from '../../lib/aggregate/registry.js';
import { APP_ROLES, readDbConfig, type AppRole, type DatabaseNames } from '../../lib/config.js';
import { progress } from '../progress.js';

/**
 * Which privileges each role gets, on which table; nothing else is granted. The aggregates'
 * tables come from the registry: the command role writes each write model, the query role reads
 * each read model.
 */
export function grantsFor(
  role: AppRole,
  db: DatabaseNames,
  registry: Registry,
): Array<{ privileges: string; on: string }> {
  const c = `\`${db.commands}\``;
  const q = `\`${db.queries}\``;
  switch (role) {
    case 'command':
      return [
        { privileges: 'SELECT, INSERT', on: `${c}.events` },
        { privileges: 'SELECT, INSERT, DELETE', on: `${c}.outbox` },
        // DELETE: an expired key of the same caller is replaced by the new request's.
        { privileges: 'SELECT, INSERT, DELETE', on: `${c}.idempotency_keys` },
        ...registry.aggregates.flatMap((a) =>
          a.writeModel ? [{ privileges: 'SELECT, INSERT, UPDATE', on: `${c}.${a.writeModel.table}` }] : [],
        ),
      ];
    case 'relay':
      return [
        { privileges: 'SELECT', on: `${c}.events` },
        { privileges: 'SELECT, UPDATE, DELETE', on: `${c}.outbox` },
      ];
    case 'projection':
      return [{ privileges: 'SELECT, INSERT, UPDATE, DELETE', on: `${q}.*` }];
    case 'query':
      return registry.aggregates.map((a) => ({ privileges: 'SELECT', on: `${q}.${a.readModel.table}` }));
    case 'operator':
      return [
        { privileges: 'SELECT', on: `${c}.events` },
        { privileges: 'SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER', on: `${q}.*` },
      ];
    case 'ops':
      // Views of counts and ages only (commands 004, queries 005): no event, row or payload.
      return [
        { privileges: 'SELECT', on: `${c}.outbox_backlog` },
        { privileges: 'SELECT', on: `${q}.projection_backlog` },
      ];
    case 'janitor':
      return [{ privileges: 'SELECT, DELETE', on: `${c}.idempotency_keys` }];
  }
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
