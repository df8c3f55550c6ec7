/**
 * The local stack on the real services: Kafka carries a keyed message end to end, both databases
 * hold the users' tables, each database user can do its own job and nothing more, and setting
 * the databases up again is safe.
 */
import { randomUUID } from 'node:crypto';
import { createAdmin, createConsumer, createProducer } from '../../lib/kafka/client.js';
import { loadMigrations, migrationLevel, type Schema } from '../../infra/mariadb/migrate.js';
import { setUpDatabases } from '../../infra/stack.js';
import { databases, kafkaConfig, rolePool } from '../support/env.js';
import { throwawayNames, throwawayUsers } from '../support/isolated-databases.js';
import { registry } from '../fixtures/registry.js';

const admin = rolePool('admin');

afterAll(() => admin.end());

async function tableNames(database: string): Promise<string[]> {
  const rows = (await admin.query(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
    [database],
  )) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

async function levelOf(database: string): Promise<number | undefined> {
  const conn = await admin.getConnection();
  try {
    return await migrationLevel(conn, database);
  } finally {
    await conn.release();
  }
}

async function latestVersion(schema: Schema): Promise<number> {
  return Math.max(...(await loadMigrations(schema, registry)).map((m) => m.version));
}

/** Runs `work` with console.log captured (infra set-up reports progress there). */
async function capturingLog<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    return { result: await work(), lines };
  } finally {
    console.log = original;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('Kafka', () => {
  test('a keyed message produced on the configured topic reaches a new consumer group with its key, value, headers, partition and offset', async () => {
    // given a producer, and a consumer in a group of its own reading the topic from the beginning
    const key = `infra-test-${randomUUID()}`;
    const value = JSON.stringify({ check: 'round trip', key });
    const groupId = `infra-test-${randomUUID()}`;
    const producer = await createProducer(kafkaConfig, { quiet: true });
    const consumer = await createConsumer(kafkaConfig, { groupId }, { quiet: true });
    let deliver: (m: { partition: number; offset: string; value?: string; header?: string }) => void;
    const delivered = new Promise<Parameters<typeof deliver>[0]>((resolve) => (deliver = resolve));
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: kafkaConfig.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async (message) => {
          if (message.key?.toString() !== key) return;
          deliver({
            partition: message.partition,
            offset: message.offset,
            value: message.value?.toString(),
            header: message.headers['x-check']?.toString(),
          });
        },
      });

      // when a message with a key nobody else uses is produced
      const [sent] = await producer.send({
        topic: kafkaConfig.topic,
        messages: [{ key, value, headers: { 'x-check': 'infra' } }],
      });

      // then exactly that record comes back
      expect(sent).toBeDefined();
      await expect(withTimeout(delivered, 30000, 'Consuming the produced message')).resolves.toEqual({
        partition: sent!.partition,
        offset: sent!.baseOffset,
        value,
        header: 'infra',
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      const kafkaAdmin = await createAdmin(kafkaConfig, { quiet: true });
      await kafkaAdmin.connect();
      await kafkaAdmin.deleteGroups([groupId]).catch(() => undefined);
      await kafkaAdmin.disconnect();
    }
  });
});

describe('databases', () => {
  test.each([
    ['commands', () => databases.commands, ['USER_DATA', 'events', 'outbox', 'idempotency_keys']],
    ['queries', () => databases.queries, ['USER_DATA', 'parked_events', 'dead_letters']],
  ] as const)(
    'the %s database has its tables and the migration ledger, at the latest migration',
    async (schema, name, expected) => {
      // given the stack set up by `npm run infra:up`
      // when we list the database's tables and read its migration level
      const tables = await tableNames(name());
      const level = await levelOf(name());

      // then the tables are there and every migration file was applied
      expect(tables).toEqual(expect.arrayContaining([...expected, 'schema_migrations']));
      expect(level).toBe(await latestVersion(schema));
    },
  );

  test.each([['commands'], ['queries']] as const)(
    'USER_DATA in the %s database keeps its original columns: ID_USER_DATA auto-increment key, NAME and DATE_REGISTER required',
    async (schema) => {
      // given the database of that side
      const database = schema === 'commands' ? databases.commands : databases.queries;

      // when we read the USER_DATA columns
      const columns = (await admin.query(
        `SELECT column_name AS name, data_type AS type, is_nullable AS nullable, column_key AS \`key\`, extra
           FROM information_schema.columns
          WHERE table_schema = ? AND table_name = 'USER_DATA'
            AND column_name IN ('ID_USER_DATA', 'NAME', 'DATE_REGISTER')
          ORDER BY ordinal_position`,
        [database],
      )) as Array<Record<string, string>>;

      // then they match the original CREATE TABLE
      expect(columns).toEqual([
        { name: 'ID_USER_DATA', type: 'int', nullable: 'NO', key: 'PRI', extra: 'auto_increment' },
        { name: 'NAME', type: 'varchar', nullable: 'NO', key: '', extra: '' },
        { name: 'DATE_REGISTER', type: 'varchar', nullable: 'NO', key: '', extra: '' },
      ]);
    },
  );
});

/**
 * Every denied statement matches no row (`... = 0`, `WHERE 1 = 0`), so even a wrong grant would
 * change nothing; MariaDB checks privileges before it looks at rows.
 */
describe('database grants: each function user can do its job and nothing more', () => {
  const query = rolePool('query');
  const command = rolePool('command');
  const projection = rolePool('projection');
  const relay = rolePool('relay');

  afterAll(() => Promise.all([query.end(), command.end(), projection.end(), relay.end()]));

  const tableDenied = { code: 'ER_TABLEACCESS_DENIED_ERROR' };

  test('the query user can read the read model', async () => {
    await expect(
      query.query(`SELECT COUNT(*) AS n FROM \`${databases.queries}\`.USER_DATA`),
    ).resolves.toEqual([{ n: expect.any(Number) }]);
  });

  test.each([
    [
      'INSERT',
      (q: string) =>
        `INSERT INTO \`${q}\`.USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, UPDATED_AT)
         SELECT 'x', 'x', 'x', 1, UTC_TIMESTAMP(3) FROM DUAL WHERE 1 = 0`,
    ],
    ['UPDATE', (q: string) => `UPDATE \`${q}\`.USER_DATA SET NAME = NAME WHERE ID_USER_DATA = 0`],
    ['DELETE', (q: string) => `DELETE FROM \`${q}\`.USER_DATA WHERE ID_USER_DATA = 0`],
  ])('the query user cannot %s rows of the read model', async (_verb, sql) => {
    // given the query function's database user
    // when it tries to change queries.USER_DATA
    // then MariaDB refuses before touching a row
    await expect(query.query(sql(databases.queries))).rejects.toMatchObject(tableDenied);
  });

  test('the query user cannot read the commands database at all', async () => {
    await expect(query.query(`SELECT COUNT(*) FROM \`${databases.commands}\`.events`)).rejects.toMatchObject(
      tableDenied,
    );
    await expect(query.query(`SHOW TABLES FROM \`${databases.commands}\``)).rejects.toMatchObject({
      code: 'ER_DBACCESS_DENIED_ERROR',
    });
  });

  test('the command user can read and append events', async () => {
    await expect(
      command.query(`SELECT COUNT(*) AS n FROM \`${databases.commands}\`.events`),
    ).resolves.toEqual([{ n: expect.any(Number) }]);
    const grants = (await command.query('SHOW GRANTS')) as Array<Record<string, string>>;
    expect(grants.map((g) => Object.values(g)[0])).toContainEqual(
      expect.stringMatching(new RegExp(`^GRANT SELECT, INSERT ON \`${databases.commands}\`\\.\`events\` TO`)),
    );
  });

  test.each([
    ['UPDATE', (c: string) => `UPDATE \`${c}\`.events SET type = type WHERE position = 0`],
    ['DELETE', (c: string) => `DELETE FROM \`${c}\`.events WHERE position = 0`],
  ])('the event store is append-only: the command user cannot %s events', async (_verb, sql) => {
    await expect(command.query(sql(databases.commands))).rejects.toMatchObject(tableDenied);
  });

  test.each([
    [
      'INSERT INTO events',
      (c: string) => `INSERT INTO \`${c}\`.events (event_id) SELECT 'x' FROM DUAL WHERE 1 = 0`,
    ],
    ['UPDATE USER_DATA', (c: string) => `UPDATE \`${c}\`.USER_DATA SET NAME = NAME WHERE ID_USER_DATA = 0`],
    ['DELETE FROM outbox', (c: string) => `DELETE FROM \`${c}\`.outbox WHERE position = 0`],
  ])('the projection user cannot write the commands database (%s)', async (_what, sql) => {
    await expect(projection.query(sql(databases.commands))).rejects.toMatchObject(tableDenied);
  });

  test('the projection user can write the read model (so the denials above are about the database, not the login)', async () => {
    await expect(
      projection.query(`UPDATE \`${databases.queries}\`.USER_DATA SET NAME = NAME WHERE ID_USER_DATA = 0`),
    ).resolves.toMatchObject({ affectedRows: 0 });
  });

  test('the outbox relay user cannot rewrite events nor read the read model', async () => {
    await expect(
      relay.query(`UPDATE \`${databases.commands}\`.events SET type = type WHERE position = 0`),
    ).rejects.toMatchObject(tableDenied);
    await expect(
      relay.query(`SELECT COUNT(*) FROM \`${databases.queries}\`.USER_DATA`),
    ).rejects.toMatchObject(tableDenied);
  });
});

/** Runs on throwaway databases and users, dropped afterwards, so the shared ones are never touched. */
describe('database set-up is repeatable', () => {
  const names = throwawayNames('it');
  const env = { ...process.env, ...names };
  const userHost = process.env.MARIADB_USER_HOST ?? '%';

  async function ledger(database: string) {
    return admin.query(
      `SELECT version, name, checksum, applied_at FROM \`${database}\`.schema_migrations ORDER BY version`,
    ) as Promise<unknown[]>;
  }

  async function grantsOf(user: string): Promise<string[]> {
    const rows = (await admin.query('SHOW GRANTS FOR ?@?', [user, userHost])) as Array<
      Record<string, string>
    >;
    return rows.map((r) => String(Object.values(r)[0]).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
  }

  beforeAll(async () => {
    await capturingLog(() => setUpDatabases(env, registry));
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${env.COMMANDS_DB}\``);
    await admin.query(`DROP DATABASE IF EXISTS \`${env.QUERIES_DB}\``);
    for (const user of throwawayUsers(names)) {
      await admin.query('DROP USER IF EXISTS ?@?', [user, userHost]);
    }
  });

  test('setting up the databases again applies no migration and keeps the level and the ledger as they were', async () => {
    // given databases already set up once
    const before = [await ledger(env.COMMANDS_DB), await ledger(env.QUERIES_DB)];

    // when the set-up runs again
    const { lines } = await capturingLog(() => setUpDatabases(env, registry));

    // then it reports both databases up to date, applies nothing, and the ledger is unchanged
    expect(lines.join('\n')).not.toMatch(/applied \d{3}_/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${env.COMMANDS_DB}: migrations up to date`),
        expect.stringContaining(`${env.QUERIES_DB}: migrations up to date`),
      ]),
    );
    expect(await levelOf(env.COMMANDS_DB)).toBe(await latestVersion('commands'));
    expect(await levelOf(env.QUERIES_DB)).toBe(await latestVersion('queries'));
    expect([await ledger(env.COMMANDS_DB), await ledger(env.QUERIES_DB)]).toEqual(before);
  });

  test('a migration whose file changed after it was applied is refused, naming the migration and the database', async () => {
    // given an applied migration whose recorded checksum no longer matches its file
    await admin.query(
      `UPDATE \`${env.COMMANDS_DB}\`.schema_migrations SET checksum = REPEAT('0', 64) WHERE version = 1`,
    );
    try {
      // when the set-up runs
      const attempt = capturingLog(() => setUpDatabases(env, registry));

      // then it stops with a message that names what changed
      await expect(attempt).rejects.toThrow(
        `Migration 001_user_data was applied to ${env.COMMANDS_DB} but its file has changed since.`,
      );
    } finally {
      const [first] = await loadMigrations('commands', registry);
      await admin.query(
        `UPDATE \`${env.COMMANDS_DB}\`.schema_migrations SET checksum = ? WHERE version = 1`,
        [first!.checksum],
      );
    }
  });

  test('a privilege granted by hand beyond the list is revoked by the next set-up', async () => {
    // given the command user was given DELETE on the event store by hand
    await admin.query(`GRANT DELETE ON \`${env.COMMANDS_DB}\`.events TO ?@?`, [
      env.COMMAND_DB_USER,
      userHost,
    ]);
    expect(await grantsOf(env.COMMAND_DB_USER)).toContainEqual(
      expect.stringMatching(/DELETE ON `[^`]+`\.`events`/),
    );

    // when the set-up runs again
    await capturingLog(() => setUpDatabases(env, registry));

    // then the event store is append-only again for that user
    expect(await grantsOf(env.COMMAND_DB_USER)).toContainEqual(
      `GRANT SELECT, INSERT ON \`${env.COMMANDS_DB}\`.\`events\` TO \`${env.COMMAND_DB_USER}\`@\`${userHost}\``,
    );
    expect(await grantsOf(env.COMMAND_DB_USER)).not.toContainEqual(
      expect.stringMatching(/DELETE ON `[^`]+`\.`events`/),
    );
  });
});
