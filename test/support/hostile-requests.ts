/**
 * Generators of requests every route must refuse with a 4xx: wrong types, empty, huge and
 * malformed strings, Unicode edge cases, invalid JSON, injection strings, missing and odd
 * headers, odd ids. Shared by the in-process fuzz suite and the HTTP share of the fault suite.
 */
import fc from 'fast-check';
import { UUID } from '../../lib/schemas.js';
import type { RequestSpec } from './apigw.js';

/** Strings that attack interpreters rather than formats: SQL, scripts, log lines, paths, templates. */
export const INJECTIONS = [
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '" OR ""="',
  '1; DELETE FROM USER_DATA',
  "admin'--",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor.prototype',
  'ok\n{"level":"error","message":"forged"}',
  'ok\r\nSet-Cookie: a=b',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\\x00',
  'SLEEP(5)',
  "1' AND SLEEP(5)#",
  '$(reboot)',
  '`id`',
];

/** True when a string holds a C0 or C1 control character or DEL. */
export function hasControlChar(text: string): boolean {
  return [...text].some((c) => {
    const code = c.codePointAt(0)!;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
}

/** Characters that break naive handling: controls, lone surrogates, direction and zero-width marks, emoji. */
export const EDGE_CHARS = [
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u001b',
  '\u007f',
  '\u0085',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u{1F600}',
  '\u{1F469}\u200D\u{1F4BB}',
  '\u05D0',
  'é',
  'e\u0301',
];

const edgeString = fc
  .array(fc.oneof(fc.constantFrom(...EDGE_CHARS), fc.string({ unit: 'binary', maxLength: 3 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

/** A name that is valid on its own; used only next to something else that makes the request invalid. */
const validName = fc.oneof(
  fc.constantFrom(
    'Ada',
    'Grace Hopper',
    '\u{1F600} Emoji',
    '\u202ERTL',
    'Zero\u200BWidth',
    ...INJECTIONS.filter((s) => !hasControlChar(s)),
  ),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0 && !hasControlChar(s)),
);

/** Names the API must refuse: wrong types, empty, over-long, control characters, lone surrogates. */
const badName = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' ', '\t \n', '\u00A0\u2003'),
  fc.integer().map((n) => n as unknown),
  fc.boolean().map((b) => b as unknown),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }).map((a) => a as unknown),
  fc
    .dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 })
    .map((o) => o as unknown),
  fc.integer({ min: 256, max: 3000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 128, max: 2000 }).map((n) => '\u{1F600}'.repeat(n)),
  fc
    .tuple(
      validName,
      fc.constantFrom('\u0000', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f'),
      validName,
    )
    .map((p) => p.join('')),
  fc
    .tuple(validName, fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF'), validName)
    .map((p) => p.join('')),
  fc.constantFrom(...INJECTIONS).map((s) => `${s}\n${s}`),
);

/** JSON objects the command routes must refuse. */
const badBody = fc.oneof(
  badName.map((name) => ({ name })),
  fc.constant({}),
  fc
    .tuple(validName, fc.constantFrom('admin', 'id', 'version', '__proto__', 'constructor', 'NAME', 'name '))
    .map(([name, extra]) => JSON.parse(`{"name": ${JSON.stringify(name)}, ${JSON.stringify(extra)}: true}`)),
  validName.map((name) => ({ Name: name })),
  validName.map((name) => ({ name: { value: name } })),
);

/** Bodies that are not a JSON object at all. */
const badRawBody = fc.oneof(
  fc.constantFrom(
    '{"name":',
    '{"name": "a",}',
    "{'name': 'a'}",
    '{"name": NaN}',
    '{"name": "a"} trailing',
    '\uFEFF{"name":"a"}',
    'null',
    'true',
    '42',
    '"a string"',
    '[{"name":"a"}]',
    '[]',
    '{"name": "\\ud800"}',
    '{"name": "\\u0000"}',
    '{"name": "a\\nb"}',
  ),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 2, max: 3000 }).map((depth) => `${'{"name":'.repeat(depth)}"a"${'}'.repeat(depth)}`),
  fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v !== 'object' || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  }),
  fc.integer({ min: 16 * 1024 + 1, max: 64 * 1024 }).map((n) => JSON.stringify({ name: 'y'.repeat(n) })),
);

/** Path ids that are not user ids. */
export const badId = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../..',
    '../../etc/passwd',
    '..%2F..%2Fetc',
    '%2e%2e',
    'null',
    'undefined',
    '0',
    '-1',
    '00000000-0000-0000-0000-00000000000g',
    '00000000-0000-0000-0000-0000000000000',
    '{00000000-0000-0000-0000-000000000000}',
    '00000000000000000000000000000000',
    '\uFF10\uFF10000000-0000-0000-0000-000000000000',
    ...INJECTIONS,
  ),
  fc.uuid().map((u) => `${u} `),
  fc.uuid().map((u) => `${u}\n`),
  fc.uuid().map((u) => `${u}/../${u}`),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.integer({ min: 37, max: 10000 }).map((n) => 'a'.repeat(n)),
  edgeString.filter((s) => !UUID.test(s)),
);

/** Header sets that make a command invalid on their own. */
const badCommandHeaders = fc.oneof(
  fc
    .constantFrom('abc', '"abc"', 'W/', '"1", "2"', '"9999999999"', '-1', '"-1"', '1.5', '""', ...INJECTIONS)
    .map((v) => ({
      'if-match': v,
    })),
  fc
    .oneof(
      fc.constant(''),
      fc.integer({ min: 256, max: 2000 }).map((n) => 'k'.repeat(n)),
      fc.constantFrom(
        'a b',
        'key\nX-Injected: 1',
        'kéy',
        '\u{1F600}',
        ...INJECTIONS.filter((s) => /\s/.test(s) || hasControlChar(s)),
      ),
    )
    .map((v) => ({ 'idempotency-key': v })),
);

/** Headers that change nothing by themselves; added to some requests. */
const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'x-request-id',
    'x-correlation-id',
    'x-forwarded-for',
    'user-agent',
    'x-unknown',
    'authorization',
    'cookie',
  ),
  fc.oneof(
    fc.constantFrom(...INJECTIONS),
    fc.string({ maxLength: 300 }),
    fc.integer({ min: 1, max: 8000 }).map((n) => 'h'.repeat(n)),
  ),
  { maxKeys: 3 },
);

const uuid = fc.uuid();
const commandRoute = fc.constantFrom('register', 'rename', 'deregister');

function commandSpec(route: string, id: string, extra: Partial<RequestSpec>): RequestSpec {
  if (route === 'register') return { method: 'POST', path: '/users', ...extra };
  if (route === 'rename')
    return { method: 'PUT', path: `/users/${id}/name`, pathParameters: { id }, ...extra };
  return { method: 'DELETE', path: `/users/${id}`, pathParameters: { id }, ...extra };
}

/** A labelled bad request (the label names what is wrong, for the statistics). */
export interface HostileRequest {
  kind: string;
  spec: RequestSpec;
}

const withExtra = (arb: fc.Arbitrary<HostileRequest>) =>
  fc
    .tuple(arb, fc.option(extraHeaders, { freq: 3 }))
    .map(([r, extra]) =>
      extra ? { ...r, spec: { ...r.spec, headers: { ...extra, ...(r.spec.headers ?? {}) } } } : r,
    );

/** Every kind of bad request, over every route. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = withExtra(
  fc.oneof(
    fc.tuple(fc.constantFrom('register', 'rename'), uuid, badBody).map(([route, id, body]) => ({
      kind: 'bad body',
      spec: commandSpec(route, id, { body }),
    })),
    fc.tuple(fc.constantFrom('register', 'rename'), uuid, badRawBody).map(([route, id, rawBody]) => ({
      kind: 'not a JSON object',
      spec: commandSpec(route, id, { rawBody, headers: { 'content-type': 'application/json' } }),
    })),
    fc
      .tuple(
        fc.constantFrom('register', 'rename'),
        uuid,
        validName,
        fc.constantFrom(
          undefined,
          'text/plain',
          'application/xml',
          'multipart/form-data',
          'application/x-www-form-urlencoded',
          'json',
          'application/jsonp',
        ),
      )
      .map(([route, id, name, type]) => ({
        kind: 'missing or wrong content type',
        spec: commandSpec(route, id, {
          rawBody: JSON.stringify({ name }),
          headers: type ? { 'content-type': type } : {},
        }),
      })),
    fc.tuple(commandRoute, uuid, validName, badCommandHeaders).map(([route, id, name, headers]) => ({
      kind: 'bad header',
      spec: commandSpec(route, id, route === 'deregister' ? { headers } : { body: { name }, headers }),
    })),
    fc.tuple(fc.constantFrom('rename', 'deregister'), badId, validName).map(([route, id, name]) => ({
      kind: 'odd id',
      spec: commandSpec(route, id, route === 'rename' ? { body: { name } } : {}),
    })),
    fc.tuple(fc.constantFrom('rename', 'deregister'), uuid, validName).map(([route, id, name]) => ({
      kind: 'unknown user',
      spec: commandSpec(route, id, route === 'rename' ? { body: { name } } : {}),
    })),
    validName.map((name) => ({
      kind: 'If-Match on a new user',
      spec: commandSpec('register', '', { body: { name }, headers: { 'if-match': '"1"' } }),
    })),
    badId.map((id) => ({
      kind: 'odd id',
      spec: { method: 'GET' as const, path: `/users/${id}`, pathParameters: { id } },
    })),
    uuid.map((id) => ({
      kind: 'unknown user',
      spec: { method: 'GET' as const, path: `/users/${id}`, pathParameters: { id } },
    })),
    fc
      .oneof(
        fc.record({
          limit: fc.oneof(
            fc.constantFrom('0', '-1', '101', '1e2', '1.5', ' 5', 'ten', '', '0x10', '9999999999'),
            fc.constantFrom(...INJECTIONS),
          ),
        }),
        fc.record({
          cursor: fc.oneof(
            fc.constantFrom(
              '%%',
              'not base64!',
              '',
              'W10',
              'WyJhIl0',
              'eyJhIjoxfQ',
              'WzEsMl0',
              ...INJECTIONS,
            ),
            fc.integer({ min: 1401, max: 5000 }).map((n) => 'A'.repeat(n)),
            edgeString.filter((s) => !/^[A-Za-z0-9_-]{1,1400}$/.test(s)),
          ),
        }),
        fc.record({
          name: fc.oneof(
            fc.constant(''),
            fc.integer({ min: 256, max: 2000 }).map((n) => 'n'.repeat(n)),
            fc
              .tuple(validName, fc.constantFrom('\u0000', '\n', '\u0085', '\uD800', '\uDFFF'))
              .map((p) => p.join('')),
          ),
        }),
        fc.dictionary(
          fc.constantFrom('colour', '__proto__', 'constructor', 'LIMIT', 'names', 'offset'),
          fc.string({ maxLength: 10 }),
          { minKeys: 1, maxKeys: 2 },
        ),
      )
      .map((query) => ({
        kind: 'bad query',
        spec: { method: 'GET' as const, path: '/users', query: query as Record<string, string> },
      })),
  ),
);
