/**
 * The browser console at /console, served by `sls offline` only (serverless.yml declares this
 * function for the local target; no deployed stage has it, docs/deploy.md): the page and its
 * assets from console/dist, and its API under /console/api (lib/console/api.ts).
 */
import path from 'node:path';
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { AppError } from '../../lib/errors.js';
import { handleConsoleApi, type ConsoleDeps } from '../../lib/console/api.js';
import { serveStatic } from '../../lib/console/static-files.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { spansFile } from '../../lib/telemetry/tracing.js';

/** sls offline runs in the service folder, where console/build.ts writes the build. */
const distDir = path.resolve('console/dist');

let deps: ConsoleDeps | undefined;
const consoleDeps = (): ConsoleDeps =>
  (deps ??= {
    registry,
    names: config.databases(),
    kafka: config.kafka(),
    health: config.health(),
    operator: pool('operator'),
    ops: pool('ops'),
    spans: spansFile(process.env),
    keyring: keyringFor('operator'),
  });

export const handler = httpFunction(
  async (event: HttpEvent) => {
    const rest = event.rawPath.replace(/^\/console/, '');
    if (rest.startsWith('/api/')) {
      return handleConsoleApi(consoleDeps(), {
        method: event.requestContext.http.method,
        path: rest.slice('/api'.length),
        query: event.queryStringParameters ?? {},
        body: event.jsonBody,
      });
    }
    const file = await serveStatic(distDir, rest);
    if (!file) throw new AppError('ROUTE_NOT_FOUND', `No console file ${event.rawPath}.`);
    return file;
  },
  { maxBodyBytes: 16 * 1024 },
);
