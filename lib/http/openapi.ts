/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same schemas the handlers
 * validate with (request bodies, query parameters) and answer with (lib/http/contracts.ts).
 */
import * as z from 'zod';
import { registerUserBody, renameUserBody } from '../commands/schemas.js';
import { getUserQuery, listUsersQuery } from '../readmodel/schemas.js';
import { commandResult, errorBody, pendingRead, userBody, userPage } from './contracts.js';

type JsonSchema = Record<string, unknown>;

/** A schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), describing what a client sends or gets. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
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

const error = (description: string) => json(errorBody, description);

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
const commandErrors = {
  '400': error('Invalid body, path id or header'),
  '404': error('No user has this id'),
  '409': error('The user is deregistered, or kept changing concurrently'),
  '412': error('If-Match names another version'),
  '413': error('Body over 16 KiB'),
  '415': error('Body is not application/json'),
  '422': error('Idempotency-Key already used with another request'),
  '503': error('A dependency is unavailable; retry'),
};
const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: jsonSchema(schema) } },
});

export function openApiDocument(serverUrl = 'http://localhost:3000'): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CQRS users API',
      version: '1.0.0',
      description: 'Commands append events; queries read the projected read model (eventually consistent).',
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/users': {
        post: {
          operationId: 'registerUser',
          parameters: [idempotencyKey],
          requestBody: body(registerUserBody),
          responses: { '201': json(commandResult, 'Registered; Location names the user'), ...commandErrors },
        },
        get: {
          operationId: 'listUsers',
          parameters: queryParameters(listUsersQuery),
          responses: {
            '200': json(userPage, 'A page of active users by name'),
            '400': error('Bad parameters'),
          },
        },
      },
      '/users/{id}': {
        get: {
          operationId: 'getUser',
          parameters: [idParameter, ...queryParameters(getUserQuery)],
          responses: {
            '200': json(userBody, 'The user; ETag is its version'),
            '202': json(pendingRead, 'minVersion not reached in time; retry after Retry-After'),
            '400': error('Bad id or parameters'),
            '404': error('No user has this id'),
            '410': error('The user was deregistered'),
          },
        },
        delete: {
          operationId: 'deregisterUser',
          parameters: [idParameter, ifMatch, idempotencyKey],
          responses: { '200': json(commandResult, 'Deregistered'), ...commandErrors },
        },
      },
      '/users/{id}/name': {
        put: {
          operationId: 'renameUser',
          parameters: [idParameter, ifMatch, idempotencyKey],
          requestBody: body(renameUserBody),
          responses: { '200': json(commandResult, 'Renamed'), ...commandErrors },
        },
      },
    },
  };
}
