/**
 * The HTTP share of the fuzzing, through real HTTP on `sls offline` (the in-process share is
 * test/fuzz/http-fuzz.test.ts), with the local caller check on (COMMAND_AUTH=token): commands
 * without the token are 401; hundreds of generated bad requests are each a 4xx, never a 5xx, and
 * write nothing; a body over the limit is 413.
 */
import fc from 'fast-check';
import { registry } from '../../aggregates/index.js';
import type { RequestSpec } from '../support/apigw.js';
import { hostileRequest } from '../support/hostile-requests.js';
import { httpTransport, type Answer } from './support/client.js';
import { Oracle } from './support/oracle.js';
import { ensureOffline, type Offline } from './support/processes.js';
import { report } from './support/report.js';

const RUNS = 800;
const TOKEN = process.env.COMMAND_AUTH_TOKEN!;
const oracle = new Oracle();
let offline: Offline;

beforeAll(async () => {
  offline = await ensureOffline({ COMMAND_AUTH: 'token' });
});

afterAll(async () => {
  await oracle.close();
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a generated request can travel over HTTP unchanged (fetch re-encodes or refuses the rest). */
function sendable(spec: RequestSpec): boolean {
  const headersOk = Object.values(spec.headers ?? {}).every(
    (v) => ![...v].some((c) => c.codePointAt(0)! > 0xff || c === '\r' || c === '\n' || c === '\0'),
  );
  const id = spec.pathParameters?.id;
  const idOk = id === undefined || (id !== '' && !/^(\.|%2e){1,2}$/i.test(id) && !LONE_SURROGATE.test(id));
  const queryOk = !Object.values(spec.query ?? {}).some((v) => LONE_SURROGATE.test(v));
  return headersOk && idOk && queryOk && !LONE_SURROGATE.test(spec.rawBody ?? '');
}

/** The request as it goes on the wire: the id as one path segment, the caller's token on commands. */
function onTheWire(spec: RequestSpec): RequestSpec {
  const id = spec.pathParameters?.id;
  const path =
    id === undefined ? spec.path : spec.path.replace(`/users/${id}`, `/users/${encodeURIComponent(id)}`);
  const headers = { ...(spec.headers ?? {}) };
  if (spec.method !== 'GET') headers.authorization = `Bearer ${TOKEN}`;
  return { ...spec, path, headers };
}

async function writeCounts(): Promise<string> {
  const rows = (await oracle.writeDb.query(
    'SELECT (SELECT COUNT(*) FROM events) AS e, (SELECT COUNT(*) FROM outbox) AS o, (SELECT COUNT(*) FROM idempotency_keys) AS k, (SELECT COUNT(*) FROM USER_DATA) AS u',
  )) as Array<Record<string, number>>;
  return JSON.stringify(rows[0]);
}

const fromOurFunction = (res: Answer) => res.headers['x-request-id'] !== undefined;

function isOurError(res: Answer): boolean {
  return (
    res.status >= 400 &&
    res.status < 500 &&
    /^application\/json/.test(res.headers['content-type'] ?? '') &&
    Object.hasOwn(registry.statuses, String(res.body?.error?.code))
  );
}

it('commands need the bearer token when COMMAND_AUTH=token (the local stand-in for IAM); reads do not', async () => {
  const http = httpTransport(offline.url);
  const before = await writeCounts();
  const body = { name: 'Caller check' };
  const anonymous = await http({ method: 'POST', path: '/users', body });
  const wrong = await http({
    method: 'POST',
    path: '/users',
    body,
    headers: { authorization: 'Bearer nope' },
  });
  expect([anonymous.status, anonymous.body.error.code, wrong.status]).toEqual([401, 'UNAUTHORIZED', 401]);
  expect(await writeCounts()).toBe(before);
  const signed = await http({
    method: 'POST',
    path: '/users',
    body,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(signed.status).toBe(201);
  expect((await http({ method: 'GET', path: `/users?limit=1` })).status).toBe(200);
});

it(`${RUNS} generated bad requests over real HTTP: none is a 5xx, every function error is JSON with a code, none writes`, async () => {
  const http = httpTransport(offline.url);
  const requests = fc
    .sample(hostileRequest, { numRuns: RUNS * 2, seed: 20260602 })
    .filter((r) => sendable(r.spec));
  const sample = requests.slice(0, RUNS);
  const before = await writeCounts();
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  let byServer = 0;
  for (const { kind, spec } of sample) {
    const res = await http(onTheWire(spec));
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 0 || res.status >= 500)
      problems.push(`${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    else if (!fromOurFunction(res)) byServer++;
    else if (!isOurError(res))
      problems.push(`${kind}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  }
  const after = await writeCounts();

  const huge = await http({
    method: 'POST',
    path: '/users',
    rawBody: JSON.stringify({ name: 'z'.repeat(2 * 1024 * 1024) }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
  });
  const overLimit = await http({
    method: 'POST',
    path: '/users',
    rawBody: JSON.stringify({ name: 'z'.repeat(17 * 1024) }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
  });

  report({
    scenario: 'HTTP fuzzing through sls offline',
    commands: sample.length,
    acknowledged: [...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0),
    eventsStored: 0,
    readModelRows: 0,
    lost: 0,
    appliedTwice: 0,
    parked: 0,
    notes: {
      statuses: JSON.stringify(Object.fromEntries(statuses)),
      'answered by sls offline itself (no route)': byServer,
      '2 MiB body': huge.status,
      '17 KiB body': overLimit.status,
    },
  });
  expect(problems).toEqual([]);
  expect(sample.length).toBe(RUNS);
  expect(after).toBe(before);
  expect([overLimit.status, overLimit.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  expect(huge.status).toBe(413);
});
