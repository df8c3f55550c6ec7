/** Middy middlewares shared by the HTTP functions: context, JSON body, error mapping, access log. */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { CommandAuth } from '../config.js';
import { AppError, isAppError } from '../errors.js';
import { isTransient } from '../db/errors.js';
import { log } from '../log.js';
import { contextFrom, flushTraces, inSpan, SpanKind } from '../telemetry/tracing.js';
import { requireCaller } from './auth.js';
import type { HttpEvent } from './event.js';
import { normalizeHeaders } from './headers.js';
import { errorResponse, type HttpResponse } from './response.js';

type Mw = MiddlewareObj<HttpEvent, HttpResponse>;

const SAFE_ID = /^[\w.:-]{1,128}$/;

function requestContext(): Mw {
  return {
    before: ({ event, context }) => {
      event.normalizedHeaders = normalizeHeaders(event.headers);
      const given = event.normalizedHeaders['x-request-id'];
      event.requestId = given && SAFE_ID.test(given) ? given : context.awsRequestId || randomUUID();
      const correlation = event.normalizedHeaders['x-correlation-id'];
      event.correlationId = correlation && SAFE_ID.test(correlation) ? correlation : event.requestId;
    },
  };
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Checks content type and size, then parses a JSON object body; each failure is a 4xx. */
export function jsonBody(maxBytes: number): Mw {
  return {
    before: ({ event }) => {
      if (!WITH_BODY.has(event.requestContext.http.method)) return;
      const raw = event.body ?? '';
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.length > maxBytes) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The body is ${bytes.length} bytes; the limit is ${maxBytes}.`,
          {
            limitBytes: maxBytes,
          },
        );
      }
      if (bytes.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'A JSON object body is required.', [
          { field: 'body', problem: 'is required' },
        ]);
      }
      const type = event.normalizedHeaders['content-type'];
      if (!type || !JSON_TYPE.test(type)) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the body as JSON with Content-Type: application/json.',
          [{ field: 'Content-Type', problem: type ? 'must be application/json' : 'is required' }],
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new AppError('INVALID_JSON', 'The body is not valid JSON.', [
          { field: 'body', problem: 'is not valid JSON' },
        ]);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new AppError('VALIDATION_FAILED', 'The body must be a JSON object.', [
          { field: 'body', problem: 'must be a JSON object' },
        ]);
      }
      event.jsonBody = parsed as Record<string, unknown>;
    },
  };
}

/** Maps errors to JSON responses: AppErrors by code; dependency outages 503; anything else 500. */
function errorMapper(statuses: Readonly<Record<string, number>> | undefined): Mw {
  return {
    onError: (request) => {
      const { error, event } = request;
      let appError: AppError;
      if (isAppError(error)) {
        appError = error;
      } else if (isTransient(error)) {
        log.warn('dependency-unavailable', { requestId: event.requestId, reason: (error as Error)?.message });
        appError = new AppError('SERVICE_UNAVAILABLE', 'A dependency is unavailable; retry shortly.');
      } else {
        log.error('unhandled-error', {
          requestId: event.requestId,
          error: (error as Error)?.message,
          stack: (error as Error)?.stack,
        });
        appError = new AppError('INTERNAL', 'An unexpected error occurred.');
      }
      const headers: Record<string, string> = { 'x-request-id': event.requestId ?? '' };
      if (appError.code === 'SERVICE_UNAVAILABLE') headers['retry-after'] = '1';
      request.response = errorResponse(appError, headers, statuses);
    },
  };
}

function accessLog(): Mw {
  const started = new WeakMap<object, number>();
  const write = ({ event, response }: { event: HttpEvent; response: HttpResponse | null }) => {
    const begin = started.get(event);
    log.info('http', {
      requestId: event.requestId,
      method: event.requestContext?.http?.method,
      route: event.routeKey,
      status: response?.statusCode,
      ms: begin === undefined ? undefined : Math.round(performance.now() - begin),
    });
  };
  return {
    before: ({ event }) => void started.set(event, performance.now()),
    after: write,
    onError: write,
  };
}

export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** Wraps a handler in the shared HTTP middlewares. */
export function httpFunction(
  handler: HttpHandler,
  options: {
    maxBodyBytes?: number;
    callers?: CommandAuth;
    /** Error code → status, the registry's for functions that serve aggregates (default: the core's). */
    statuses?: Readonly<Record<string, number>>;
  } = {},
) {
  const chain = middy<HttpEvent, HttpResponse>()
    .use(accessLog())
    .use(errorMapper(options.statuses))
    .use(requestContext());
  if (options.callers) chain.use(requireCaller(options.callers));
  if (options.maxBodyBytes !== undefined) chain.use(jsonBody(options.maxBodyBytes));
  const wrapped = chain.handler(async (event, context) => {
    const response = await handler(event, context);
    response.headers['x-request-id'] = event.requestId;
    return response;
  });
  // One server span per request, continuing the caller's trace when it sent a traceparent.
  return async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
    const traceparent = Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'traceparent',
    )?.[1];
    const method = event.requestContext?.http?.method ?? 'HTTP';
    try {
      return await inSpan(
        `${method} ${event.routeKey?.split(' ')[1] ?? event.rawPath}`,
        {
          kind: SpanKind.SERVER,
          parent: contextFrom(traceparent),
          attributes: { 'http.request.method': method },
        },
        async (span) => {
          const response = await wrapped(event, context);
          span.setAttribute('http.response.status_code', response.statusCode);
          return response;
        },
      );
    } finally {
      await flushTraces();
    }
  };
}
