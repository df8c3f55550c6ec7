/**
 * The console's API under /console/api: a few read endpoints and the operator actions the project
 * already has (the dead-letter store `npm run dlq` uses, the rebuild `npm run rebuild` uses), on the
 * operator's and the ops role's connections. Every answer is JSON; bad input is a 400 naming the field.
 */
import * as z from 'zod';
import type { Registry } from '../aggregate/registry.js';
import type { DatabaseNames, KafkaConfig } from '../config.js';
import type { Pool } from '../db/pool.js';
import { DeadLetterStore } from '../deadletters/store.js';
import { AppError } from '../errors.js';
import { json, type HttpResponse } from '../http/response.js';
import { readHealth, type HealthOptions } from '../ops/health.js';
import type { Keyring } from '../personal-data/keyring.js';
import { listParked } from '../projection/parked.js';
import { rebuildReadModel } from '../rebuild/rebuild.js';
import { UUID } from '../schemas.js';
import { latestRebuild } from './rebuild-progress.js';
import { readStream } from './stream.js';
import { readThroughput } from './throughput.js';

export interface ConsoleDeps {
  registry: Registry;
  names: DatabaseNames;
  kafka: KafkaConfig;
  health: HealthOptions;
  /** Reads the event store and the write models, owns the read database (dead letters, rebuild). */
  operator: Pool;
  /** Reads the outbox and projection backlog views (GET /health's figures). */
  ops: Pool;
  /** Where the functions' spans are appended, or why there is no such file. */
  spans: string | { unavailable: string };
  /** Opens sealed personal fields for the stream view, the rebuild and a redrive (the operator's keys). */
  keyring: Keyring;
}

export interface ConsoleRequest {
  method: string;
  /** The path below /console/api, e.g. '/streams/…'. */
  path: string;
  query: Record<string, string | undefined>;
  body: Record<string, unknown> | undefined;
}

const noStore = { 'cache-control': 'no-store' };
const ok = (body: unknown) => json(200, body, noStore);

function deadLetterId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new AppError('VALIDATION_FAILED', 'A dead-letter id is a positive whole number.', [
      { field: 'id', problem: 'must be a positive whole number' },
    ]);
  }
  return id;
}

function streamId(text: string): string {
  if (!UUID.test(text)) {
    throw new AppError('VALIDATION_FAILED', 'A stream id is a UUID.', [
      { field: 'id', problem: 'must be a UUID' },
    ]);
  }
  return text.toLowerCase();
}

const rebuildBody = z.strictObject({ chunkSize: z.number().int().min(1).max(100000).optional() });

function parseRebuildBody(body: unknown) {
  const parsed = rebuildBody.safeParse(body ?? {});
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The rebuild takes an optional chunkSize, a whole number from 1 to 100000.',
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', problem: i.message })),
    );
  }
  return parsed.data;
}

const notFound = (id: number) => new AppError('DEAD_LETTER_NOT_FOUND', `No dead letter ${id}.`);

/** Answers one console API request. */
export async function handleConsoleApi(deps: ConsoleDeps, request: ConsoleRequest): Promise<HttpResponse> {
  const store = new DeadLetterStore(deps.operator, deps.registry, deps.keyring);
  const parts = request.path.split('/').filter(Boolean);
  const route = `${request.method} /${parts.map((p, i) => (i === 1 ? ':id' : p)).join('/')}`;
  switch (route) {
    case 'GET /pipeline': {
      const [health, throughput] = await Promise.all([
        readHealth(deps.ops, deps.names, deps.kafka, deps.health),
        readThroughput({ file: deps.spans, windowSeconds: 60 }),
      ]);
      return ok({ at: new Date().toISOString(), health, throughput });
    }
    case 'GET /aggregates':
      return ok({
        items: deps.registry.aggregates.map((a) => ({
          name: a.name,
          streamType: a.streamType,
          noun: a.noun,
        })),
      });
    case 'GET /streams/:id': {
      const id = streamId(parts[1]!);
      const view = await readStream(deps.operator, deps.registry, deps.names, id, deps.keyring);
      if (!view) throw new AppError('STREAM_NOT_FOUND', `No stream ${id} in the event store.`);
      return ok(view);
    }
    case 'GET /dead-letters':
      return ok({ items: await store.list({ includeRedriven: request.query.all === 'true', limit: 500 }) });
    case 'GET /dead-letters/:id': {
      const id = deadLetterId(parts[1]!);
      const detail = await store.show(id);
      if (!detail) throw notFound(id);
      return ok(detail);
    }
    case 'POST /dead-letters/:id/redrive': {
      const id = deadLetterId(parts[1]!);
      const result = await store.redrive(id);
      if (result.outcome === 'not-found') throw notFound(id);
      return ok(result);
    }
    case 'POST /dead-letters/:id/drop': {
      const id = deadLetterId(parts[1]!);
      if (!(await store.drop(id))) throw notFound(id);
      return ok({ dropped: id });
    }
    case 'GET /parked':
      return ok({ items: await listParked(deps.operator, 500) });
    case 'GET /rebuild':
      return ok({ latest: await latestRebuild(deps.operator, deps.names) });
    case 'POST /rebuild': {
      const { chunkSize } = parseRebuildBody(request.body);
      const outcome = await rebuildReadModel(deps.operator, deps.registry, deps.names, {
        chunkSize,
        keyring: deps.keyring,
      });
      return ok(outcome);
    }
    default:
      throw new AppError(
        'ROUTE_NOT_FOUND',
        `No console endpoint ${request.method} /console/api${request.path}.`,
      );
  }
}
