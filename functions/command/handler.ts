/**
 * The command function: every aggregate's command routes (POST /users, PUT /users/{id}/name,
 * DELETE /users/{id}, …). Parse, decide, append events + outbox + idempotency record in one
 * transaction, then publish.
 */
import { registry } from '../../aggregates/index.js';
import type { Registry } from '../../lib/aggregate/registry.js';
import { commandDeps, type CommandDeps } from '../../lib/commands/deps.js';
import { executeCommand } from '../../lib/commands/execute.js';
import { requestHash } from '../../lib/commands/request-hash.js';
import { routeCommand } from '../../lib/commands/routing.js';
import { config } from '../../lib/config.js';
import { parseIdempotencyKey, parseIfMatch } from '../../lib/http/headers.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { json } from '../../lib/http/response.js';
import { publishAfterCommit } from '../../lib/outbox/publish-after-commit.js';
import { currentTraceparent, inSpan, SpanKind, startTracing } from '../../lib/telemetry/tracing.js';

startTracing('command');

export function createCommandHandler(registry: Registry, getDeps: () => CommandDeps) {
  return async (event: HttpEvent) => {
    const deps = getDeps();
    const headers = event.normalizedHeaders;
    const ifMatchVersion = parseIfMatch(headers['if-match']);
    const idempotencyKey = parseIdempotencyKey(headers['idempotency-key']);
    const now = deps.now();
    const routed = routeCommand(registry, event, now);
    const method = event.requestContext.http.method;
    const traceparent = currentTraceparent();
    const attributes = { 'cqrs.aggregate': routed.aggregate.name, 'cqrs.stream_id': routed.streamId };
    const sameRequest = [
      method,
      routed.operationId,
      routed.pathId ?? null,
      event.jsonBody ?? null,
      ifMatchVersion ?? null,
    ];
    const hash = idempotencyKey === undefined ? undefined : await requestHash(sameRequest, deps.keyring);
    const result = await inSpan(`append ${routed.operationId}`, { attributes }, () =>
      executeCommand(
        routed.aggregate,
        {
          streamId: routed.streamId,
          command: routed.command,
          newStream: routed.newStream,
          ifMatchVersion,
          idempotency:
            idempotencyKey === undefined || hash === undefined
              ? undefined
              : { caller: event.caller ?? '', key: idempotencyKey, requestHash: hash },
          metadata: {
            requestId: event.requestId,
            correlationId: event.correlationId,
            ...(idempotencyKey ? { idempotencyKey } : {}),
            ...(traceparent ? { traceparent } : {}),
          },
          now,
          respond: routed.respond,
        },
        deps,
      ),
    );
    if (result.appended.length) {
      await inSpan(
        'send',
        {
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', ...attributes },
        },
        () =>
          publishAfterCommit(result.appended, {
            bus: deps.bus,
            outbox: deps.outbox,
            timeoutMs: deps.publishTimeoutMs,
          }),
      );
    }
    const { statusCode, body, headers: responseHeaders } = result.response;
    return json(statusCode, body, {
      ...responseHeaders,
      ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  };
}

export const handler = httpFunction(
  createCommandHandler(registry, () => commandDeps(registry)),
  {
    maxBodyBytes: config.command().maxBodyBytes,
    callers: config.commandAuth(),
    statuses: registry.statuses,
  },
);
