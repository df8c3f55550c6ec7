/** The query function: GET /users/{id} and GET /users, from the read database only. */
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { AppError } from '../../lib/errors.js';
import { parseUserId } from '../../lib/http/headers.js';
import { httpFunction, type HttpEvent } from '../../lib/http/middleware.js';
import { json, type HttpResponse } from '../../lib/http/response.js';
import { validate } from '../../lib/http/validate.js';
import { decodeCursor, encodeCursor } from '../../lib/readmodel/cursor.js';
import { MariaDbUserQueries, type UserQueries } from '../../lib/readmodel/queries.js';
import { getUserQuery, listUsersQuery } from '../../lib/readmodel/schemas.js';
import type { UserView } from '../../lib/readmodel/types.js';

const DEFAULT_LIMIT = 20;

const present = (v: UserView) => ({
  id: v.userId,
  name: v.name,
  dateRegister: v.dateRegister,
  version: v.version,
});

async function getUser(queries: UserQueries, event: HttpEvent): Promise<HttpResponse> {
  const id = parseUserId(event.pathParameters?.id);
  const view = await queries.getUser(id);
  if (!view)
    throw new AppError('USER_NOT_FOUND', 'No user has this id (a new user can take a moment to appear).');
  if (view.status === 'deregistered') {
    throw new AppError('USER_GONE', 'This user was deregistered.', { id, version: view.version });
  }
  return json(200, present(view), { etag: `"${view.version}"` });
}

async function listUsers(queries: UserQueries, event: HttpEvent): Promise<HttpResponse> {
  const params = validate(listUsersQuery, event.queryStringParameters ?? {}, 'query');
  const limit = params.limit ?? DEFAULT_LIMIT;
  const rows = await queries.listUsers({
    limit,
    namePrefix: params.name,
    after: params.cursor === undefined ? undefined : decodeCursor(params.cursor),
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ name: last.name, id: last.userId }) : null;
  return json(200, { items: page.map(present), nextCursor });
}

export function createQueryHandler(getQueries: () => UserQueries) {
  return async (event: HttpEvent): Promise<HttpResponse> => {
    const queries = getQueries();
    return event.pathParameters?.id === undefined ? listUsers(queries, event) : getUser(queries, event);
  };
}

let queries: UserQueries | undefined;

export const handler = httpFunction(
  createQueryHandler(() => (queries ??= new MariaDbUserQueries(pool('query')))),
);
