/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the registry: each aggregate's
 * routes, with the same schemas the handlers validate with (request bodies, query parameters)
 * and answer with (lib/http/contracts.ts and the aggregates' response schemas).
 */
import * as z from 'zod';
import type { AggregateDefinition, CommandRoute, QueryRoute } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import { commandResult, errorBody } from './contracts.js';

type JsonSchema = Record<string, unknown>;

/** A schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), describing what a client sends or gets. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  const object = jsonSchema(schema);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }));
}

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
});

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The version the client last saw, quoted ("3"); a mismatch is 412 and nothing is written.',
  schema: { type: 'string', pattern: '^(W/)?"?\\d{1,9}"?$' },
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retries with the same key and request get the first answer; another request with it is 422.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};
const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: jsonSchema(schema) } },
});

type Operation = Record<string, unknown>;

function commandOperation(
  aggregate: AggregateDefinition,
  route: CommandRoute,
  error: (description: string) => unknown,
): Operation {
  const noun = aggregate.noun;
  const createsStream = !route.path.includes('{id}');
  const errors = {
    '400': error('Invalid body, path id or header'),
    '404': error(`No ${noun} has this id`),
    '409': error(`The ${noun}'s state refuses the command, or it kept changing concurrently`),
    '412': error('If-Match names another version'),
    '413': error('Body over 16 KiB'),
    '415': error('Body is not application/json'),
    '422': error('Idempotency-Key already used with another request'),
    '503': error('A dependency is unavailable; retry'),
  };
  return {
    operationId: route.operationId,
    parameters: createsStream ? [idempotencyKey] : [idParameter, ifMatch, idempotencyKey],
    ...(route.body ? { requestBody: body(route.body) } : {}),
    responses: { [createsStream ? '201' : '200']: json(commandResult, route.description), ...errors },
  };
}

function queryOperation(route: QueryRoute, error: (description: string) => unknown): Operation {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, { description, schema }]) => [
      status,
      schema ? json(schema, description) : error(description),
    ]),
  );
  return {
    operationId: route.operationId,
    parameters: [...(route.path.includes('{id}') ? [idParameter] : []), ...queryParameters(route.query)],
    responses,
  };
}

export function openApiDocument(
  registry: Registry,
  serverUrl = 'http://localhost:3000',
): Record<string, unknown> {
  const codes = Object.keys(registry.statuses) as [string, ...string[]];
  const errorSchema = errorBody(codes);
  const error = (description: string) => json(errorSchema, description);
  const paths: Record<string, Record<string, Operation>> = {};
  const add = (path: string, method: string, operation: Operation) => {
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  };
  for (const { aggregate, route } of registry.commandRoutes)
    add(route.path, route.method, commandOperation(aggregate, route, error));
  for (const { route } of registry.queryRoutes) add(route.path, route.method, queryOperation(route, error));
  return {
    openapi: '3.1.0',
    info: {
      title: 'CQRS API',
      version: '1.0.0',
      description: 'Commands append events; queries read the projected read model (eventually consistent).',
    },
    servers: [{ url: serverUrl }],
    paths,
  };
}
