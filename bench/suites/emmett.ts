/**
 * Issue item 7: the same register-user command through a peer, emmett's PostgreSQL event store
 * (its CommandHandler: read the stream, decide, append with the expected version), behind the
 * same HTTP shell (middy, JSON body, zod validation) as our command function.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CommandHandler, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { httpFunction } from '../../lib/http/middleware.js';
import { json } from '../../lib/http/response.js';
import { validate } from '../../lib/http/validate.js';
import { AppError } from '../../lib/errors.js';
import { registerUserBody } from '../support/command-handler.js';

type UserRegistered = Event<'UserRegistered', { name: string; dateRegister: string }>;
type State = { registered: boolean };

const handle = CommandHandler<State, UserRegistered>({
  evolve: (_state, event) => ({ registered: event.type === 'UserRegistered' }),
  initialState: () => ({ registered: false }),
});

/** PostgreSQL on this machine (trust auth); the database is the benchmark's own. */
export const postgresUrl = (database: string) =>
  process.env.BENCH_POSTGRES_URL ?? `postgresql://postgres@127.0.0.1:5432/${database}`;

/** Creates (afresh) the benchmark's PostgreSQL database. */
export async function resetPostgres(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
}

export async function dropPostgres(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** An emmett command function for POST /users on a pool of `connections`. */
export async function emmettRegister(database: string, connections: number) {
  const connectionString = postgresUrl(database);
  const pool = new pg.Pool({ connectionString, max: connections });
  // An idle connection the server ends (the database dropped WITH (FORCE) at the end, a restart)
  // is reported on the pool; unheard, that 'error' event would end the whole benchmark.
  pool.on('error', (error) => console.error(`[bench] emmett pool: ${error.message}`));
  const store = getPostgreSQLEventStore(connectionString, {
    connectionOptions: { pooled: true, pool },
    schema: { autoMigration: 'CreateOrUpdate' },
  });
  await store.schema.migrate();
  const handler = httpFunction(
    async (event) => {
      const { name } = validate(registerUserBody, event.jsonBody);
      const id = randomUUID();
      const result = await handle(store, id, (state: State): UserRegistered => {
        if (state.registered) throw new AppError('USER_ALREADY_EXISTS', 'This user is already registered.');
        return { type: 'UserRegistered', data: { name, dateRegister: new Date().toISOString() } };
      });
      return json(201, { id, version: Number(result.nextExpectedStreamVersion) });
    },
    { maxBodyBytes: 16 * 1024 },
  );
  return {
    handler,
    close: async () => {
      await store.close();
      await pool.end().catch(() => undefined);
    },
  };
}
