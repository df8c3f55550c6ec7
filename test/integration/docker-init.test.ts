/**
 * infra/docker/init-databases.sh (the MariaDB init script of infra/docker-compose.yml) must leave a
 * server exactly as `npm run infra:up` would: same tables, same migration ledger, same users and
 * grants. It runs here against the local server, on throwaway databases and users.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { readDbConfig } from '../../lib/config.js';
import { ROOT } from '../../infra/paths.js';
import { setUpDatabases } from '../../infra/stack.js';
import { rolePool } from '../support/env.js';

const run = promisify(execFile);
const script = path.join(ROOT, 'infra', 'docker', 'init-databases.sh');
const suffix = randomBytes(4).toString('hex');
const userHost = process.env.MARIADB_USER_HOST ?? '%';
const users = {
  COMMAND_DB_USER: `dk_${suffix}_command`,
  RELAY_DB_USER: `dk_${suffix}_relay`,
  PROJECTION_DB_USER: `dk_${suffix}_projection`,
  QUERY_DB_USER: `dk_${suffix}_query`,
  OPERATOR_DB_USER: `dk_${suffix}_operator`,
  OPS_DB_USER: `dk_${suffix}_ops`,
  JANITOR_DB_USER: `dk_${suffix}_janitor`,
};
const admin = readDbConfig(process.env, 'admin');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...users,
  COMMANDS_DB: `dk_${suffix}_commands`,
  QUERIES_DB: `dk_${suffix}_queries`,
  MARIADB_HOST: admin.host,
  MARIADB_PORT: String(admin.port),
};
const pool = rolePool('admin');

async function initScript(): Promise<string> {
  const { stdout } = await run('bash', [script], { env, timeout: 30000 });
  return stdout;
}

async function state() {
  const grants: Record<string, string[]> = {};
  for (const user of Object.values(users)) {
    const rows = (await pool.query('SHOW GRANTS FOR ?@?', [user, userHost])) as Array<Record<string, string>>;
    grants[user] = rows.map((r) => String(Object.values(r)[0])).sort();
  }
  const ledger = async (db: string | undefined) =>
    pool.query(
      `SELECT version, name, checksum, applied_at FROM \`${db}\`.schema_migrations ORDER BY version`,
    );
  const tables = async (db: string | undefined) =>
    pool.query(
      'SELECT table_name AS name, create_options AS options FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [db],
    );
  return {
    grants,
    ledger: [await ledger(env.COMMANDS_DB), await ledger(env.QUERIES_DB)],
    tables: [await tables(env.COMMANDS_DB), await tables(env.QUERIES_DB)],
  };
}

afterAll(async () => {
  await pool.query(`DROP DATABASE IF EXISTS \`${env.COMMANDS_DB}\``);
  await pool.query(`DROP DATABASE IF EXISTS \`${env.QUERIES_DB}\``);
  for (const user of Object.values(users)) await pool.query('DROP USER IF EXISTS ?@?', [user, userHost]);
  await pool.end();
});

test('the Docker init script sets up what infra:up would: infra:up afterwards finds migrations up to date and changes no grant', async () => {
  // given a server set up by the Docker init script only
  const out = await initScript();
  expect(out).toContain(`${env.COMMANDS_DB}: applied 001_user_data`);
  const afterScript = await state();

  // when the project's own set-up runs on it
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await setUpDatabases(env);
  } finally {
    console.log = log;
  }

  // then it has nothing to apply and nothing to correct
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringContaining(`${env.COMMANDS_DB}: migrations up to date`),
      expect.stringContaining(`${env.QUERIES_DB}: migrations up to date`),
    ]),
  );
  expect(await state()).toEqual(afterScript);
  expect(afterScript.grants[users.COMMAND_DB_USER]).toContainEqual(
    `GRANT SELECT, INSERT ON \`${env.COMMANDS_DB}\`.\`events\` TO \`${users.COMMAND_DB_USER}\`@\`${userHost}\``,
  );
});

test('the Docker init script is repeatable: a second run applies nothing and leaves everything as it was', async () => {
  // given a server the script already set up
  await initScript();
  const before = await state();

  // when it runs again
  const out = await initScript();

  // then nothing is applied and nothing changes
  expect(out).not.toMatch(/applied \d{3}_/);
  expect(await state()).toEqual(before);
});
