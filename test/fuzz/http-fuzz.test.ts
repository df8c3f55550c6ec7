/**
 * Property-based fuzzing of every HTTP route, calling the command and query functions in this
 * process with API Gateway v2 events, on throwaway databases: thousands of generated bad
 * requests (test/support/hostile-requests.ts) must each get a 4xx with a JSON error body naming a
 * known code, and none may write a row.
 */
import fc from 'fast-check';
import { readDbConfig } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';
import { registry } from '../../aggregates/index.js';
import { statusOf } from '../../lib/http/status.js';
import { invoke, type ParsedResponse } from '../support/apigw.js';
import { hasControlChar, hostileRequest, INJECTIONS } from '../support/hostile-requests.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';

const RUNS = 5500;
const SEED = Number(process.env.FUZZ_SEED ?? 20260601);

let dbs: IsolatedDatabases;
let command: Parameters<typeof invoke>[0];
let query: Parameters<typeof invoke>[0];
let closeAll: () => Promise<void>;
let admin: Pool;

beforeAll(async () => {
  dbs = await isolatedDatabases('fz');
  admin = createPool({ ...readDbConfig(dbs.env, 'admin'), connectionLimit: 1 });
  Object.assign(process.env, dbs.env);
  command = (await import('../../functions/command/handler.js')).handler;
  query = (await import('../../functions/query/handler.js')).handler;
  const { closePools } = await import('../../lib/db/pool.js');
  const { closeCommandDeps } = await import('../../lib/commands/deps.js');
  closeAll = async () => {
    await closeCommandDeps();
    await closePools();
  };
}, 60000);

afterAll(async () => {
  await closeAll?.();
  await admin?.end();
  await dbs?.drop();
});

/** Rows in every table a request could write, in one round trip (as the admin user). */
async function rowCounts(): Promise<string> {
  const c = `\`${dbs.env.COMMANDS_DB}\``;
  const q = `\`${dbs.env.QUERIES_DB}\``;
  const tables = [`${c}.events`, `${c}.outbox`, `${c}.idempotency_keys`, `${c}.USER_DATA`, `${q}.USER_DATA`];
  const [row] = (await admin.query(
    `SELECT ${tables.map((t, i) => `(SELECT COUNT(*) FROM ${t}) AS t${i}`).join(', ')}`,
  )) as Array<Record<string, number>>;
  return tables.map((t, i) => `${t}=${Number(row?.[`t${i}`])}`).join(' ');
}

function isProperError(res: ParsedResponse): boolean {
  const code = res.body?.error?.code;
  return (
    res.statusCode >= 400 &&
    res.statusCode < 500 &&
    /^application\/json/.test(res.headers['content-type'] ?? '') &&
    Object.hasOwn(registry.statuses, code) &&
    statusOf(code, registry.statuses) === res.statusCode &&
    typeof res.body.error.message === 'string'
  );
}

describe('HTTP fuzzing, in process', () => {
  it(`${RUNS} generated bad requests over every route: each a 4xx with a JSON error code, none writes a row`, async () => {
    const before = await rowCounts();
    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ kind, spec }) => {
        const handler = spec.method === 'GET' ? query : command;
        const res = await invoke(handler, spec);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        if (!isProperError(res)) throw new Error(`answered ${res.statusCode} ${JSON.stringify(res.body)}`);
        if (res.statusCode >= 400 && (await rowCounts()) !== before)
          throw new Error('a rejected request wrote a row');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    process.stdout.write(
      `\nfuzz: ${RUNS} requests (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `kinds ${JSON.stringify(Object.fromEntries(kinds))}\n`,
    );
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(await rowCounts()).toBe(before);
  }, 600000);

  it('injection strings that are valid names are stored and read back verbatim, as data', async () => {
    for (const name of INJECTIONS.filter((s) => !hasControlChar(s))) {
      const created = await invoke(command, { method: 'POST', path: '/users', body: { name } });
      expect(created.statusCode).toBe(201);
      const [row] = (await dbs
        .pool('command')
        .query('SELECT NAME FROM USER_DATA WHERE USER_ID = ?', [created.body.id])) as Array<{ NAME: string }>;
      expect(row?.NAME).toBe(name);
    }
  });
});
