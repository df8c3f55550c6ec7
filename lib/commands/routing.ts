/** Which aggregate's command a request is, and how to answer it: the registry's command routes. */
import { randomUUID } from 'node:crypto';
import type { AggregateDefinition, RoutedCommand } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import type { StoredResponse } from '../eventstore/types.js';
import type { HttpEvent } from '../http/event.js';
import { matchRoute, parseStreamId } from '../http/routing.js';
import { validate } from '../http/validate.js';

export interface CommandFromRequest extends RoutedCommand<unknown> {
  aggregate: AggregateDefinition;
  /** The route's operationId: part of what makes two requests the same for an Idempotency-Key. */
  operationId: string;
  /** The id the path names (none for a route that creates a stream). */
  pathId: string | undefined;
  /** Builds the answer from the stream's version after the command. */
  respond: (version: number) => StoredResponse;
}

/**
 * 201 with Location for a new stream, else 200; the body names the stream and its version, and
 * ETag and Consistency-Token let the client read its own write.
 */
const answer =
  (aggregate: AggregateDefinition, id: string, created: boolean) =>
  (version: number): StoredResponse => ({
    statusCode: created ? 201 : 200,
    body: { id, version },
    headers: {
      etag: `"${version}"`,
      'consistency-token': `${id}@${version}`,
      ...(created ? { location: `/${aggregate.name}/${id}` } : {}),
    },
  });

export function routeCommand(registry: Registry, event: HttpEvent, now: Date): CommandFromRequest {
  const { entry, params } = matchRoute(
    registry.commandRoutes,
    event.requestContext.http.method,
    event.rawPath,
  );
  const { aggregate, route } = entry;
  if (params.id !== undefined) params.id = parseStreamId(params.id, aggregate.noun);
  const body = route.body ? validate(route.body, event.jsonBody) : undefined;
  const routed = route.route({ params, body, now, newId: randomUUID });
  return {
    ...routed,
    aggregate,
    operationId: route.operationId,
    pathId: params.id,
    respond: answer(aggregate, routed.streamId, routed.newStream === true),
  };
}
