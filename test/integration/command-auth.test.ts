/**
 * Who may send commands (COMMAND_AUTH): bearer tokens locally, the API Gateway IAM authorizer's
 * verdict when deployed. A refused command is a 401 with a JSON error and writes nothing. The
 * caller scopes its Idempotency-Keys: one caller's key never returns another caller's answer.
 */
import { randomBytes } from 'node:crypto';
import { readCommandAuth } from '../../lib/config.js';
import { apiEvent, invoke, lambdaContext, type RequestSpec } from '../support/apigw.js';
import { rolePool } from '../support/env.js';

const TOKEN = randomBytes(24).toString('base64url');
const ALICE = randomBytes(24).toString('base64url');
const BOB = randomBytes(24).toString('base64url');
const db = rolePool('command');
type Handler = Parameters<typeof invoke>[0];
let tokenHandler: Handler;
let iamHandler: Handler;
let queryHandler: Handler;
let close: () => Promise<void>;

beforeAll(async () => {
  process.env.COMMAND_AUTH = 'token';
  process.env.COMMAND_AUTH_TOKEN = TOKEN;
  process.env.COMMAND_AUTH_TOKENS = `alice=${ALICE},bob=${BOB}`;
  tokenHandler = (await import('../../functions/command/handler.js')).handler;
  queryHandler = (await import('../../functions/query/handler.js')).handler;
  const { createCommandHandler } = await import('../../functions/command/handler.js');
  const { commandDeps, closeCommandDeps } = await import('../../lib/commands/deps.js');
  const { httpFunction } = await import('../../lib/http/middleware.js');
  const { closePools } = await import('../../lib/db/pool.js');
  const { registry } = await import('../../aggregates/index.js');
  iamHandler = httpFunction(
    createCommandHandler(registry, () => commandDeps(registry)),
    { maxBodyBytes: 16384, callers: { mode: 'iam' }, statuses: registry.statuses },
  );
  close = async () => {
    await closeCommandDeps();
    await closePools();
  };
});

afterAll(async () => {
  delete process.env.COMMAND_AUTH;
  delete process.env.COMMAND_AUTH_TOKEN;
  delete process.env.COMMAND_AUTH_TOKENS;
  await close?.();
  await db.end();
});

async function eventCount(): Promise<number> {
  const [row] = (await db.query('SELECT COUNT(*) AS n FROM events')) as Array<{ n: number }>;
  return Number(row?.n);
}

const register = (headers: Record<string, string>): RequestSpec => ({
  method: 'POST',
  path: '/users',
  body: { name: 'Authorized' },
  headers,
});

describe('command routes need an authenticated caller', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: `Bearer ${TOKEN}x` }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
    ['Basic credentials', { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }],
  ])('with COMMAND_AUTH=token, %s is 401 UNAUTHORIZED and writes nothing', async (_name, headers) => {
    const before = await eventCount();
    const res = await invoke(tokenHandler, register(headers));
    expect(res.statusCode).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(await eventCount()).toBe(before);
  });

  it('with COMMAND_AUTH=token, the right token is accepted, before the body is even read', async () => {
    const res = await invoke(tokenHandler, register({ authorization: `Bearer ${TOKEN}` }));
    expect(res.statusCode).toBe(201);
    const bad = await invoke(tokenHandler, { method: 'POST', path: '/users', rawBody: '{', headers: {} });
    expect(bad.statusCode).toBe(401);
  });

  it('the query routes stay open', async () => {
    const res = await invoke(queryHandler, { method: 'GET', path: '/users', query: { limit: '1' } });
    expect(res.statusCode).toBe(200);
  });

  it('with COMMAND_AUTH=iam, only requests the API Gateway IAM authorizer passed are accepted', async () => {
    const before = await eventCount();
    expect((await invoke(iamHandler, register({}))).statusCode).toBe(401);
    expect(await eventCount()).toBe(before);
    const event = apiEvent(register({}));
    const authorizer = { iam: { userArn: 'arn:aws:iam::123456789012:user/ci' } };
    const signed = await iamHandler(
      { ...event, requestContext: { ...event.requestContext, authorizer } },
      lambdaContext(),
    );
    expect(signed.statusCode).toBe(201);
  });

  it("one caller's Idempotency-Key never returns another caller's answer: token callers", async () => {
    const key = randomBytes(8).toString('hex');
    const as = (token: string) => register({ authorization: `Bearer ${token}`, 'idempotency-key': key });
    const alice = await invoke(tokenHandler, as(ALICE));
    const bob = await invoke(tokenHandler, as(BOB));
    expect([alice.statusCode, bob.statusCode]).toEqual([201, 201]);
    expect(bob.body.id).not.toBe(alice.body.id);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    const aliceAgain = await invoke(tokenHandler, as(ALICE));
    expect(aliceAgain.body).toEqual(alice.body);
    expect(aliceAgain.headers['idempotent-replayed']).toBe('true');
  });

  it("one caller's Idempotency-Key never returns another caller's answer: IAM principals", async () => {
    const key = randomBytes(8).toString('hex');
    const signedBy = async (userArn: string) => {
      const event = apiEvent(register({ 'idempotency-key': key }));
      const authorizer = { iam: { userArn } };
      const res = await iamHandler(
        { ...event, requestContext: { ...event.requestContext, authorizer } },
        lambdaContext(),
      );
      return { status: res.statusCode, body: JSON.parse(res.body) as { id: string } };
    };
    const ci = await signedBy('arn:aws:iam::123456789012:user/ci');
    const ops = await signedBy('arn:aws:sts::123456789012:assumed-role/ops/session');
    expect([ci.status, ops.status]).toEqual([201, 201]);
    expect(ops.body.id).not.toBe(ci.body.id);
    expect((await signedBy('arn:aws:iam::123456789012:user/ci')).body).toEqual(ci.body);
  });

  it('deployed (CQRS_ENV=aws) the default is iam; locally none; token mode needs a real token', () => {
    expect(readCommandAuth({ CQRS_ENV: 'aws' })).toEqual({ mode: 'iam' });
    expect(readCommandAuth({})).toEqual({ mode: 'none' });
    expect(() => readCommandAuth({ COMMAND_AUTH: 'token' })).toThrow(/COMMAND_AUTH_TOKEN/);
    expect(() => readCommandAuth({ COMMAND_AUTH: 'token', COMMAND_AUTH_TOKEN: 'short' })).toThrow(/16/);
    expect(() => readCommandAuth({ COMMAND_AUTH: 'jwt' })).toThrow(/none, iam or token/);
    expect(() => readCommandAuth({ COMMAND_AUTH: 'token', COMMAND_AUTH_TOKENS: 'alice' })).toThrow(/16/);
    expect(() => readCommandAuth({ COMMAND_AUTH: 'token', COMMAND_AUTH_TOKENS: `a b=${TOKEN}` })).toThrow(
      /caller=token/,
    );
    expect(readCommandAuth({ COMMAND_AUTH: 'token', COMMAND_AUTH_TOKENS: `alice=${ALICE}` })).toEqual({
      mode: 'token',
      tokens: [{ caller: 'alice', token: ALICE }],
    });
  });
});
