/** API Gateway HTTP API (v2) events, as the command and query functions receive them. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON with Content-Type application/json unless headers say otherwise. */
  body?: unknown;
  rawBody?: string;
}

export function apiEvent(spec: RequestSpec): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  let body: string | undefined = spec.rawBody;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  const query = spec.query ?? {};
  return {
    version: '2.0',
    routeKey: spec.routeKey ?? `${spec.method} ${spec.path}`,
    rawPath: spec.path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: spec.pathParameters,
    isBase64Encoded: false,
    body,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: spec.method,
        path: spec.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: spec.routeKey ?? `${spec.method} ${spec.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

export function lambdaContext(): Context {
  return {
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 30000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type AnyHandler = (event: any, context: Context) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Calls a handler the way Lambda does and parses its JSON answer. */
export async function invoke(handler: AnyHandler, spec: RequestSpec): Promise<ParsedResponse> {
  const result = await handler(apiEvent(spec), lambdaContext());
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    body: result.body ? JSON.parse(result.body) : undefined,
  };
}
