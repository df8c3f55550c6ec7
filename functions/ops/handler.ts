/**
 * Operations endpoints: GET /health (outbox backlog and projection lag) and GET /openapi.json.
 */
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { openApiDocument } from '../../lib/http/openapi.js';
import { json } from '../../lib/http/response.js';
import { readHealth } from '../../lib/ops/health.js';

/** The document per server URL, built once: its JSON schemas take milliseconds to generate. */
const documents = new Map<string, string>();

function openApiBody(host: string | undefined): string {
  const url = host ? `${host.startsWith('localhost') ? 'http' : 'https'}://${host}` : '';
  let body = documents.get(url);
  if (body === undefined) {
    body = JSON.stringify(openApiDocument(registry, url || undefined));
    if (documents.size < 16) documents.set(url, body);
  }
  return body;
}

export const handler = httpFunction(async (event: HttpEvent) => {
  if (event.rawPath.endsWith('/openapi.json')) {
    const response = json(200, null);
    response.body = openApiBody(event.normalizedHeaders.host);
    return response;
  }
  const health = await readHealth(pool('ops'), config.databases(), config.kafka(), config.health());
  return json(health.status === 'ok' ? 200 : 503, health, { 'cache-control': 'no-store' });
});
