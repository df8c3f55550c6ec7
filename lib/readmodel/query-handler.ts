/** The query function's core: which aggregate's read route a request is, validated, answered from the read database. */
import type { Queryable } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import type { HttpEvent } from '../http/event.js';
import type { HttpResponse } from '../http/response.js';
import { matchRoute, parseStreamId } from '../http/routing.js';
import { validate } from '../http/validate.js';
import type { ConsistencyWait } from './consistency.js';

export function createQueryHandler(
  registry: Registry,
  getDb: () => Queryable,
  consistency: () => ConsistencyWait,
) {
  return async (event: HttpEvent): Promise<HttpResponse> => {
    const { entry, params } = matchRoute(
      registry.queryRoutes,
      event.requestContext.http.method,
      event.rawPath,
    );
    const { aggregate, route } = entry;
    if (params.id !== undefined) params.id = parseStreamId(params.id, aggregate.noun);
    const query = validate(route.query, event.queryStringParameters ?? {}, 'query');
    return route.handle({
      params,
      query,
      headers: event.normalizedHeaders,
      db: getDb(),
      consistency: consistency(),
    });
  };
}
