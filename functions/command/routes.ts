import { randomUUID } from 'node:crypto';
import type { UserCommand } from '../../lib/domain/user/decider.js';
import { AppError } from '../../lib/errors.js';
import { parseUserId } from '../../lib/http/headers.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { validate } from '../../lib/http/validate.js';
import { registerUserBody, renameUserBody } from '../../lib/commands/schemas.js';
import type { StoredResponse } from '../../lib/eventstore/types.js';

/** A parsed command route: which stream, which command, and how to answer. */
export interface RoutedCommand {
  streamId: string;
  command: UserCommand;
  respond: (version: number) => StoredResponse;
}

const answer =
  (statusCode: number, id: string, headers: Record<string, string> = {}) =>
  (version: number): StoredResponse => ({
    statusCode,
    body: { id, version },
    headers: { etag: `"${version}"`, 'consistency-token': `${id}@${version}`, ...headers },
  });

/** POST /users, PUT /users/{id}/name, DELETE /users/{id}. */
export function routeCommand(event: HttpEvent, now: Date): RoutedCommand {
  const method = event.requestContext.http.method;
  const id = event.pathParameters?.id;
  if (method === 'POST' && id === undefined) {
    const { name } = validate(registerUserBody, event.jsonBody);
    const streamId = randomUUID();
    return {
      streamId,
      command: { type: 'RegisterUser', name, now },
      respond: answer(201, streamId, { location: `/users/${streamId}` }),
    };
  }
  if (method === 'PUT' && id !== undefined) {
    const streamId = parseUserId(id);
    const { name } = validate(renameUserBody, event.jsonBody);
    return { streamId, command: { type: 'RenameUser', name }, respond: answer(200, streamId) };
  }
  if (method === 'DELETE' && id !== undefined) {
    const streamId = parseUserId(id);
    return { streamId, command: { type: 'DeregisterUser' }, respond: answer(200, streamId) };
  }
  throw new AppError('ROUTE_NOT_FOUND', `No command route for ${method} ${event.rawPath}.`);
}
