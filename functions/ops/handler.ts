/**
 * Operations endpoints: GET /health (outbox backlog and projection lag) and GET /openapi.json.
 */
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { openApiDocument } from '../../lib/http/openapi.js';
import { json } from '../../lib/http/response.js';
import { readHealth } from '../../lib/ops/health.js';

export const handler = httpFunction(async (event: HttpEvent) => {
  if (event.rawPath.endsWith('/openapi.json')) {
    const host = event.normalizedHeaders.host;
    return json(
      200,
      openApiDocument(host ? `${host.startsWith('localhost') ? 'http' : 'https'}://${host}` : undefined),
    );
  }
  const health = await readHealth(pool('ops'), config.databases(), config.kafka(), config.health());
  return json(health.status === 'ok' ? 200 : 503, health, { 'cache-control': 'no-store' });
});
