/** The query function: GET /users/{id} and GET /users, from the read database only. */
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { AppError } from '../../lib/errors.js';
import { parseUserId } from '../../lib/http/headers.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { httpFunction } from '../../lib/http/middleware.js';
import { json, type HttpResponse } from '../../lib/http/response.js';
import { validate } from '../../lib/http/validate.js';
import { readAtLeast } from '../../lib/readmodel/consistency.js';
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

/** The version a client needs to see: `?minVersion=`, or `X-Consistency-Token: <id>@<version>` for this user. */
function requiredVersion(event: HttpEvent, id: string): number | undefined {
  const { minVersion } = validate(getUserQuery, event.queryStringParameters ?? {}, 'query');
  const token = event.normalizedHeaders['x-consistency-token'];
  if (token === undefined) return minVersion;
  const match = /^([0-9a-fA-F-]{36})@(\d{1,9})$/.exec(token);
  if (!match || match[1]!.toLowerCase() !== id) {
    throw new AppError('INVALID_HEADER', 'X-Consistency-Token must be "<id>@<version>" for this user.', [
      { field: 'X-Consistency-Token', problem: 'must be <id>@<version> naming this user' },
    ]);
  }
  return Math.max(minVersion ?? 0, Number(match[2]));
}

async function getUser(queries: UserQueries, event: HttpEvent): Promise<HttpResponse> {
  const id = parseUserId(event.pathParameters?.id);
  const minVersion = requiredVersion(event, id);
  const { consistencyWaitMs, consistencyPollMs, consistencyMaxPollMs } = config.query();
  const { view, caughtUp } = await readAtLeast(queries, id, minVersion, {
    waitMs: consistencyWaitMs,
    firstPollMs: consistencyPollMs,
    maxPollMs: consistencyMaxPollMs,
  });
  if (!caughtUp) {
    const currentVersion = view?.version ?? 0;
    return json(202, { id, status: 'pending', minVersion, currentVersion }, { 'retry-after': '1' });
  }
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
