/**
 * The command function (POST /users, PUT /users/{id}/name, DELETE /users/{id}): parse, decide,
 * append events + outbox + idempotency record in one transaction, then publish.
 */
import { commandDeps, type CommandDeps } from '../../lib/commands/deps.js';
import { config } from '../../lib/config.js';
import { executeUserCommand, requestHash } from '../../lib/commands/execute.js';
import { parseIdempotencyKey, parseIfMatch } from '../../lib/http/headers.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { json } from '../../lib/http/response.js';
import { publishAfterCommit } from '../../lib/outbox/publish-after-commit.js';
import { routeCommand } from './routes.js';

export function createCommandHandler(getDeps: () => CommandDeps) {
  return async (event: HttpEvent) => {
    const deps = getDeps();
    const headers = event.normalizedHeaders;
    const ifMatchVersion = parseIfMatch(headers['if-match']);
    const idempotencyKey = parseIdempotencyKey(headers['idempotency-key']);
    const now = deps.now();
    const routed = routeCommand(event, now);
    const method = event.requestContext.http.method;
    const result = await executeUserCommand(
      {
        streamId: routed.streamId,
        command: routed.command,
        ifMatchVersion,
        idempotency:
          idempotencyKey === undefined
            ? undefined
            : {
                caller: event.caller ?? '',
                key: idempotencyKey,
                requestHash: requestHash([
                  method,
                  event.pathParameters?.id ?? null,
                  event.jsonBody ?? null,
                  ifMatchVersion ?? null,
                ]),
              },
        metadata: {
          requestId: event.requestId,
          correlationId: event.correlationId,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        },
        now,
        respond: routed.respond,
      },
      deps,
    );
    if (result.appended.length) {
      await publishAfterCommit(result.appended, {
        bus: deps.bus,
        outbox: deps.outbox,
        timeoutMs: deps.publishTimeoutMs,
      });
    }
    const { statusCode, body, headers: responseHeaders } = result.response;
    return json(statusCode, body, {
      ...responseHeaders,
      ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  };
}

export const handler = httpFunction(createCommandHandler(commandDeps), {
  maxBodyBytes: config.command().maxBodyBytes,
  callers: config.commandAuth(),
});
