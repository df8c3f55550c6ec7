/**
 * A client that sends user commands and keeps the ledger the oracle checks: every command it
 * sent, and for each one answered 2xx, the event that answer promises (stream, version, type, name).
 * The same client runs over real HTTP or against a handler in this process.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { apiEvent, lambdaContext, type RequestSpec } from '../../support/apigw.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Transport = (spec: RequestSpec) => Promise<Answer>;

/** Real HTTP against a base URL (sls offline). A refused connection is status 0. */
export function httpTransport(baseUrl: string): Transport {
  return async (spec) => {
    const headers: Record<string, string> = { ...(spec.headers ?? {}) };
    let body = spec.rawBody;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] ??= 'application/json';
    }
    const query = spec.query ? `?${new URLSearchParams(spec.query)}` : '';
    try {
      const res = await fetch(`${baseUrl}${spec.path}${query}`, { method: spec.method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: kept as text, and the checks will say so */
      }
      return { status: res.status, headers: Object.fromEntries(res.headers), body: parsed };
    } catch {
      return { status: 0, headers: {}, body: undefined };
    }
  };
}

type Handler = (event: any, context: Context) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Lambda handler called in this process, the way Lambda calls it. */
export function inProcessTransport(handler: Handler): Transport {
  return async (spec) => {
    const result = await handler(apiEvent(spec), lambdaContext());
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };
}

export interface Ack {
  streamId: string;
  version: number;
  type: 'UserRegistered' | 'UserRenamed' | 'UserDeregistered' | 'UserErased';
  name?: string;
  idempotencyKey?: string;
}

export interface SendOptions {
  ifMatch?: number;
  /** Retry 5xx and refused connections with the same Idempotency-Key, up to this many times. */
  retries?: number;
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CommandClient {
  readonly acks: Ack[] = [];
  readonly streams = new Set<string>();
  /** Final status of each command, by status. */
  readonly statuses = new Map<number, number>();
  /** Every answer of every attempt, by status. */
  readonly attempts = new Map<number, number>();
  /** Retries whose answer was the stored one (Idempotent-Replayed): the write had committed before a 5xx. */
  replayedAfterFailure = 0;
  commands = 0;
  private counter = 0;

  constructor(private readonly transport: Transport) {}

  /** A name no earlier command used, so every rename changes the name and appends an event. */
  uniqueName(prefix: string): string {
    return `${prefix} ${++this.counter}`;
  }

  register(name: string, options: SendOptions = {}) {
    return this.send({ method: 'POST', path: '/users', body: { name } }, options, (res) => ({
      streamId: res.body.id,
      version: 1,
      type: 'UserRegistered',
      name,
    }));
  }

  rename(id: string, name: string, options: SendOptions = {}) {
    return this.send(
      { method: 'PUT', path: `/users/${id}/name`, pathParameters: { id }, body: { name } },
      options,
      (res) => ({ streamId: id, version: res.body.version, type: 'UserRenamed', name }),
    );
  }

  deregister(id: string, options: SendOptions = {}) {
    return this.send({ method: 'DELETE', path: `/users/${id}`, pathParameters: { id } }, options, (res) => ({
      streamId: id,
      version: res.body.version,
      type: 'UserDeregistered',
    }));
  }

  erase(id: string, options: SendOptions = {}) {
    return this.send(
      { method: 'POST', path: `/users/${id}/erasure`, pathParameters: { id }, body: {} },
      options,
      (res) => ({ streamId: id, version: res.body.version, type: 'UserErased' }),
    );
  }

  private async send(spec: RequestSpec, options: SendOptions, ack: (res: Answer) => Ack): Promise<Answer> {
    this.commands++;
    const key = randomUUID();
    const headers: Record<string, string> = { 'idempotency-key': key };
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    const retries = options.retries ?? 0;
    let failed = false;
    for (let attempt = 0; ; attempt++) {
      const res = await this.transport({ ...spec, headers });
      this.attempts.set(res.status, (this.attempts.get(res.status) ?? 0) + 1);
      const retryable = res.status === 0 || res.status >= 500;
      if (retryable && attempt < retries) {
        failed = true;
        await sleep(options.retryDelayMs ?? 200);
        continue;
      }
      this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 200 && res.status < 300) {
        if (failed && res.headers['idempotent-replayed'] === 'true') this.replayedAfterFailure++;
        const promised = { ...ack(res), idempotencyKey: key };
        if (!Number.isInteger(promised.version)) {
          // An answer that promises no version is a defect of its own; show it whole.
          process.stdout.write(
            `[fault] ${spec.method} ${spec.path} answered ${res.status} without a version: ${JSON.stringify({
              headers: res.headers,
              body: res.body,
            })}\n`,
          );
        }
        this.acks.push(promised);
        this.streams.add(promised.streamId);
      } else if (spec.pathParameters?.id) {
        this.streams.add(spec.pathParameters.id);
      }
      return res;
    }
  }

  get acknowledged(): number {
    return this.acks.length;
  }

  /** Count of final answers in [from, to). */
  answered(from: number, to: number): number {
    return [...this.statuses].filter(([s]) => s >= from && s < to).reduce((n, [, c]) => n + c, 0);
  }
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * The users a stream of commands renames, handed out so that no two renames in flight name the
 * same user. A version conflict that outlasts the command's own retries is a legitimate 409, but
 * not an outcome of a scenario about something else, which can then require every command to
 * be acknowledged.
 */
export class RenameTargets {
  private readonly idle: string[] = [];
  private busy = 0;

  get size(): number {
    return this.idle.length + this.busy;
  }

  add(id: string): void {
    this.idle.push(id);
  }

  /** Runs `rename` on the user idle the longest; it goes back to the end of the line after. */
  async rename<T>(rename: (id: string) => Promise<T>): Promise<T> {
    const id = this.idle.shift();
    if (id === undefined) throw new Error('every user is being renamed already: register more first');
    this.busy++;
    try {
      return await rename(id);
    } finally {
      this.busy--;
      this.idle.push(id);
    }
  }
}
