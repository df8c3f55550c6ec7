/**
 * Database credentials from Secrets Manager (lib/secrets.ts), against the real MariaDB: a role with
 * a secret ARN logs in with the secret's user and password, and nothing else about its settings
 * changes; a missing or malformed secret fails before any connection, without quoting the secret.
 * Secrets Manager itself is replaced by a fetcher function (it cannot be reached from here).
 */
import { randomUUID } from 'node:crypto';
import mariadb from 'mariadb';
import { ConfigError, readDbConfig, readDbSecretArns } from '../../lib/config.js';
import { createPool } from '../../lib/db/pool.js';
import { loadDbSecrets, parseDbSecret, withDbSecret } from '../../lib/secrets.js';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${name}-${randomUUID()}`;

const localQuery = readDbConfig(process.env, 'query');

async function loginWorks(cfg: ReturnType<typeof readDbConfig>): Promise<string> {
  const pool = createPool({ ...cfg, connectionLimit: 1 });
  try {
    const [row] = (await pool.query('SELECT CURRENT_USER() AS user')) as Array<{ user: string }>;
    return String(row?.user);
  } finally {
    await pool.end();
  }
}

describe('database secrets', () => {
  test('given a secret ARN, the role logs in with the user and password of that secret', async () => {
    const secretArn = arn('query');
    const fetched: string[] = [];
    await loadDbSecrets([secretArn], async (id) => {
      fetched.push(id);
      return JSON.stringify({ username: localQuery.user, password: localQuery.password, host: 'elsewhere' });
    });
    const env = {
      ...process.env,
      QUERY_DB_SECRET_ARN: secretArn,
      QUERY_DB_USER: undefined,
      QUERY_DB_PASSWORD: undefined,
    };
    const cfg = withDbSecret(readDbConfig(env, 'query'));
    expect(cfg).toMatchObject({
      host: localQuery.host,
      port: localQuery.port,
      database: localQuery.database,
    });
    expect(await loginWorks(cfg)).toMatch(new RegExp(`^${localQuery.user}@`));
    await loadDbSecrets([secretArn], async () => {
      throw new Error('fetched twice');
    });
    expect(fetched).toEqual([secretArn]);
  });

  test('given a secret with a wrong password, the login is refused by the server', async () => {
    const secretArn = arn('query-wrong');
    await loadDbSecrets([secretArn], async () =>
      JSON.stringify({ username: localQuery.user, password: 'not-the-password' }),
    );
    const cfg = withDbSecret(readDbConfig({ ...process.env, QUERY_DB_SECRET_ARN: secretArn }, 'query'));
    await expect(
      mariadb.createConnection({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password }),
    ).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  test('in AWS mode a role with a secret needs no user or password variable', () => {
    const env = {
      CQRS_ENV: 'aws',
      COMMANDS_DB: 'commands',
      QUERIES_DB: 'queries',
      MARIADB_HOST: 'proxy.example',
      MARIADB_TLS: 'true',
      PROJECTION_DB_SECRET_ARN: 'arn:projection',
    };
    expect(readDbConfig(env, 'projection')).toMatchObject({
      host: 'proxy.example',
      ssl: true,
      secretArn: 'arn:projection',
    });
    expect(() => readDbConfig({ ...env, PROJECTION_DB_SECRET_ARN: undefined }, 'projection')).toThrow(
      /PROJECTION_DB_(USER|PASSWORD)/,
    );
    expect(readDbSecretArns({ ...env, QUERY_DB_SECRET_ARN: 'arn:query' })).toEqual([
      'arn:projection',
      'arn:query',
    ]);
  });

  test('a secret that was never loaded stops the connection before it is attempted', () => {
    const cfg = readDbConfig({ ...process.env, QUERY_DB_SECRET_ARN: arn('never-loaded') }, 'query');
    expect(() => withDbSecret(cfg)).toThrow(ConfigError);
  });

  test('a malformed secret is refused without quoting its value', () => {
    for (const text of [
      'not json s3cr3t',
      JSON.stringify({ username: 'u' }),
      JSON.stringify({ password: 7 }),
    ]) {
      let message = '';
      try {
        parseDbSecret('arn:x', text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Secret arn:x /);
      expect(message).not.toContain('s3cr3t');
    }
  });
});
