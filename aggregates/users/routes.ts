/**
 * The users' HTTP routes: POST /users, PUT /users/{id}/name, DELETE /users/{id} and
 * POST /users/{id}/erasure (commands),
 * GET /users/{id} and GET /users (queries). Their validators are also the OpenAPI document's schemas.
 */
import * as z from 'zod';
import type { CommandRoute, QueryRoute } from '../../lib/aggregate/definition.js';
import { AppError } from '../../lib/errors.js';
import { pendingRead } from '../../lib/http/contracts.js';
import { json } from '../../lib/http/response.js';
import { readAtLeast, requiredVersion } from '../../lib/readmodel/consistency.js';
import { decodeCursor, encodeCursor } from '../../lib/readmodel/cursor.js';
import { minVersionParam, pageCursorParam, pageLimitParam } from '../../lib/readmodel/params.js';
import { CONTROL_CHARS, LONE_SURROGATE } from '../../lib/schemas.js';
import type { UserCommand } from './decider.js';
import { userNameSchema } from './events.js';
import { UserQueries, type UserView } from './read-model.js';

export const registerUserBody = z.strictObject({ name: userNameSchema });
export const renameUserBody = z.strictObject({ name: userNameSchema });
/** Erasure takes no fields: the body is `{}` (every POST carries a JSON object). */
export const eraseUserBody = z.strictObject({});

export const commandRoutes: CommandRoute<UserCommand>[] = [
  {
    method: 'POST',
    path: '/users',
    operationId: 'registerUser',
    description: 'Registered; Location names the user',
    body: registerUserBody,
    route: ({ body, now, newId }) => ({
      streamId: newId(),
      command: { type: 'RegisterUser', name: (body as z.output<typeof registerUserBody>).name, now },
      newStream: true,
    }),
  },
  {
    method: 'PUT',
    path: '/users/{id}/name',
    operationId: 'renameUser',
    description: 'Renamed',
    body: renameUserBody,
    route: ({ params, body }) => ({
      streamId: params.id!,
      command: { type: 'RenameUser', name: (body as z.output<typeof renameUserBody>).name },
    }),
  },
  {
    method: 'DELETE',
    path: '/users/{id}',
    operationId: 'deregisterUser',
    description: 'Deregistered',
    route: ({ params }) => ({ streamId: params.id!, command: { type: 'DeregisterUser' } }),
  },
  {
    method: 'POST',
    path: '/users/{id}/erasure',
    operationId: 'eraseUser',
    description:
      "Erased: the user's data key is deleted, so its name can no longer be read anywhere; GET answers 410",
    body: eraseUserBody,
    route: ({ params }) => ({ streamId: params.id!, command: { type: 'EraseUser' } }),
  },
];

export const listUsersQuery = z.strictObject({
  limit: pageLimitParam,
  cursor: pageCursorParam,
  name: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'must be at most 255 characters' })
    .refine((v) => !CONTROL_CHARS.test(v), { error: 'must not contain control characters' })
    .refine((v) => !LONE_SURROGATE.test(v), { error: 'must be well-formed Unicode (no unpaired surrogate)' })
    .optional(),
});

/** Query parameters of GET /users/{id}: `minVersion` asks to read at least that version (read-your-writes). */
export const getUserQuery = z.strictObject({ minVersion: minVersionParam });

const userBody = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  dateRegister: z.string(),
  version: z.number().int().min(1),
});

const userPage = z.strictObject({ items: z.array(userBody), nextCursor: z.string().nullable() });

const DEFAULT_LIMIT = 20;

const present = (v: UserView): z.output<typeof userBody> => ({
  id: v.userId,
  name: v.name,
  dateRegister: v.dateRegister,
  version: v.version,
});

export const queryRoutes: QueryRoute[] = [
  {
    method: 'GET',
    path: '/users/{id}',
    operationId: 'getUser',
    query: getUserQuery,
    responses: {
      '200': { description: 'The user; ETag is its version', schema: userBody },
      '202': { description: 'minVersion not reached in time; retry after Retry-After', schema: pendingRead },
      '400': { description: 'Bad id or parameters' },
      '404': { description: 'No user has this id' },
      '410': { description: 'The user was deregistered or erased' },
    },
    async handle({ params, query, headers, db, consistency }) {
      const id = params.id!;
      const { minVersion } = query as z.output<typeof getUserQuery>;
      const queries = new UserQueries(db);
      const wanted = requiredVersion(id, minVersion, headers, 'user');
      const { view, caughtUp } = await readAtLeast(() => queries.getUser(id), wanted, consistency);
      if (!caughtUp) {
        const currentVersion = view?.version ?? 0;
        return json(
          202,
          { id, status: 'pending', minVersion: wanted, currentVersion },
          { 'retry-after': '1' },
        );
      }
      if (!view)
        throw new AppError('USER_NOT_FOUND', 'No user has this id (a new user can take a moment to appear).');
      if (view.status === 'deregistered') {
        throw new AppError('USER_GONE', 'This user was deregistered.', { id, version: view.version });
      }
      if (view.status === 'erased') {
        throw new AppError('USER_GONE', "This user's personal data was erased.", {
          id,
          version: view.version,
        });
      }
      return json(200, present(view), { etag: `"${view.version}"` });
    },
  },
  {
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    query: listUsersQuery,
    responses: {
      '200': { description: 'A page of active users by name', schema: userPage },
      '400': { description: 'Bad parameters' },
    },
    async handle({ query, db }) {
      const params = query as z.output<typeof listUsersQuery>;
      const limit = params.limit ?? DEFAULT_LIMIT;
      const rows = await new UserQueries(db).listUsers({
        limit,
        namePrefix: params.name,
        after: params.cursor === undefined ? undefined : decodeCursor(params.cursor),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit && last ? encodeCursor({ name: last.name, id: last.userId }) : null;
      return json(200, { items: page.map(present), nextCursor });
    },
  },
];
