/**
 * The OpenAPI document is generated from the validators' schemas; these checks fail when the
 * document and what the handlers accept drift apart.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { registry } from '../../../aggregates/index.js';
import {
  getUserQuery,
  listUsersQuery,
  eraseUserBody,
  registerUserBody,
  renameUserBody,
} from '../../../aggregates/users/routes.js';
import { openApiDocument } from '../../../lib/http/openapi.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const doc = openApiDocument(registry) as Json;
const ajv = new Ajv2020({ strict: false, validateFormats: false });

const bodySamples: unknown[] = [
  { name: 'Ada' },
  { name: 'Ada Lovelace' },
  { name: 'Ø' },
  { name: '😀 emoji' },
  { name: 'a'.repeat(255) },
  { name: 'a'.repeat(256) },
  { name: '' },
  { name: 42 },
  { name: null },
  {},
  { name: 'Ada', admin: true },
  { nom: 'Ada' },
  [],
  'Ada',
  null,
];

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with every route the functions serve', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/users',
      '/users/{id}',
      '/users/{id}/erasure',
      '/users/{id}/name',
    ]);
    expect(Object.keys(doc.paths['/users']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/users/{id}']).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(doc.paths['/users/{id}/name'])).toEqual(['put']);
    expect(Object.keys(doc.paths['/users/{id}/erasure'])).toEqual(['post']);
  });

  it.each([
    ['POST /users', () => doc.paths['/users'].post, registerUserBody],
    ['PUT /users/{id}/name', () => doc.paths['/users/{id}/name'].put, renameUserBody],
    ['POST /users/{id}/erasure', () => doc.paths['/users/{id}/erasure'].post, eraseUserBody],
  ] as const)(
    'the %s request body schema accepts exactly what the validator accepts',
    (_route, op, schema) => {
      const validate = ajv.compile(op().requestBody.content['application/json'].schema);
      for (const sample of bodySamples) {
        expect([sample, validate(sample)]).toEqual([sample, schema.safeParse(sample).success]);
      }
    },
  );

  it.each([
    ['GET /users', () => doc.paths['/users'].get, listUsersQuery, ['limit', 'cursor', 'name']],
    ['GET /users/{id}', () => doc.paths['/users/{id}'].get, getUserQuery, ['minVersion']],
  ] as const)("the %s query parameters are the validator's", (_route, op, schema, names) => {
    const documented = op()
      .parameters.filter((p: Json) => p.in === 'query')
      .map((p: Json) => p.name);
    expect(documented.sort()).toEqual([...names].sort());
    expect(Object.keys(schema.shape).sort()).toEqual([...names].sort());
  });

  it('every error response uses the one error body with the known codes', () => {
    const errorSchema = doc.paths['/users'].post.responses['409'].content['application/json'].schema;
    const validate = ajv.compile(errorSchema);
    expect(validate({ error: { code: 'USER_DEREGISTERED', message: 'x' } })).toBe(true);
    expect(validate({ error: { code: 'MADE_UP', message: 'x' } })).toBe(false);
  });
});
