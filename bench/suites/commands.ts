/**
 * Issue items 1 and 2: the command function called in-process with API Gateway v2 events,
 * against the raw rate of one INSERT per transaction, and against the naive dual write
 * (save the row, then send, no outbox, no idempotency), at the same concurrency.
 */
import { randomUUID } from 'node:crypto';
import { readDbConfig, readKafkaConfig } from '../../lib/config.js';
import { createPool, type Pool } from '../../lib/db/pool.js';
import { createDefaultProducer } from '../../lib/kafka/client.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { json } from '../../lib/http/response.js';
import { validate } from '../../lib/http/validate.js';
import { registerUserBody } from '../support/command-handler.js';
import { apiEvent, lambdaContext } from '../../test/support/apigw.js';
import type { LoadResult, paired } from '../support/load.js';
import { adminConnection } from '../support/stack.js';

type Invokable = (event: never, context: never) => Promise<{ statusCode: number }>;

/** POST /users through `handler`, failing on anything but 201. */
export function registerOp(handler: Invokable) {
  return async (i: number) => {
    const event = apiEvent({ method: 'POST', path: '/users', body: { name: `Bench User ${i}` } });
    const res = await handler(event as never, lambdaContext() as never);
    if (res.statusCode !== 201) throw new Error(`POST /users answered ${res.statusCode}`);
  };
}

const RAW_TABLE = `CREATE TABLE IF NOT EXISTS raw_events LIKE events`;

/** A pool of the admin user on the benchmark's commands database, with a copy of the events table. */
export async function rawPool(connections: number): Promise<Pool> {
  const database = readDbConfig(process.env, 'command').database!;
  const conn = await adminConnection(database);
  await conn.query(RAW_TABLE);
  await conn.end();
  return createPool({ ...readDbConfig(process.env, 'admin'), database, connectionLimit: connections });
}

/** The database's limit: one event-sized INSERT, autocommitted (one transaction each). */
export function rawInsertOp(pool: Pool) {
  return async () => {
    const id = randomUUID();
    await pool.query(
      'INSERT INTO raw_events (event_id, stream_id, version, type, data, metadata, occurred_at) VALUES (?, ?, 1, ?, ?, ?, UTC_TIMESTAMP(3))',
      [id, id, 'UserRegistered', '{"name":"Bench User","dateRegister":"2026-01-01T00:00:00.000Z"}', '{}'],
    );
  };
}

/**
 * A plain write-then-publish path in the same HTTP shell: validate, save the USER_DATA row (autocommit),
 * then send without waiting for the broker. `drain` waits for the sends still in flight, and
 * is inside the timed window. Its producer is kafkajs's default one (any number of
 * requests in flight), not the project's ordered one, so this baseline deliberately builds it
 * with createDefaultProducer. It sends to `topic`, one nobody consumes: its messages are no
 * events, and on the pipeline's topic `sls offline`'s projection met them first when it started.
 */
export async function naiveDualWrite(pool: Pool, topic: string) {
  const cfg = { ...readKafkaConfig(process.env), topic };
  const producer = await createDefaultProducer(cfg, { quiet: true });
  await producer.connect();
  const inFlight = new Set<Promise<unknown>>();
  const handler = httpFunction(
    async (event) => {
      const { name } = validate(registerUserBody, event.jsonBody);
      const id = randomUUID();
      const dateRegister = new Date().toISOString();
      await pool.query(
        'INSERT INTO USER_DATA (NAME, DATE_REGISTER, USER_ID, VERSION, STATUS) VALUES (?, ?, ?, 1, ?)',
        [name, dateRegister, id, 'active'],
      );
      const send = producer
        .send({ topic: cfg.topic, messages: [{ value: JSON.stringify({ name, dateRegister }) }] })
        .catch(() => undefined);
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send));
      return json(201, { id });
    },
    { maxBodyBytes: 16 * 1024 },
  );
  return {
    handler,
    drain: async () => {
      await Promise.all([...inFlight]);
    },
    close: () => producer.disconnect(),
  };
}

export interface PairedFigure {
  candidate: number;
  baseline: number;
  ratio: number;
  rounds: number[];
  candidateP99Ms: number;
  errors: number;
}

/** The paired run's figures; throws first if any operation of either side failed. */
export function summarise(what: string, run: Awaited<ReturnType<typeof paired>>): PairedFigure {
  failIfErrors(what, [...run.candidate, ...run.baseline]);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const lat = run.candidate.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return {
    candidate: med(run.candidate.map((r) => r.perSecond)),
    baseline: med(run.baseline.map((r) => r.perSecond)),
    ratio: med(run.ratios),
    rounds: run.ratios,
    candidateP99Ms: lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] ?? Number.NaN,
    errors: [...run.candidate, ...run.baseline].reduce((n, r) => n + r.errors, 0),
  };
}

function failIfErrors(what: string, results: LoadResult[]): void {
  const failed = results.find((r) => r.errors > 0);
  if (failed) throw new Error(`${what}: ${failed.errors} operations failed; first: ${failed.firstError}`);
}
