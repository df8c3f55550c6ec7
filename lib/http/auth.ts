/**
 * The caller check of the command routes (COMMAND_AUTH, see lib/config.ts). Deployed, API
 * Gateway's IAM authorizer verifies the SigV4 signature before the function runs; `iam` makes the
 * function refuse anything that did not pass it, so a route deployed without the authorizer stays
 * closed. Locally `token` stands in for it: a shared secret as a bearer token.
 */
import type { MiddlewareObj } from '@middy/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandAuth } from '../config.js';
import { AppError } from '../errors.js';
import type { HttpEvent } from './middleware.js';
import type { HttpResponse } from './response.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (hashing first, so the lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function iamCaller(event: HttpEvent): unknown {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return context.authorizer?.iam?.userArn;
}

/** Refuses a command whose caller is not authenticated: 401 UNAUTHORIZED, before the body is read. */
export function requireCaller(auth: CommandAuth): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: ({ event }) => {
      if (auth.mode === 'none') return;
      if (auth.mode === 'iam') {
        if (!iamCaller(event)) {
          throw new AppError(
            'UNAUTHORIZED',
            'Commands must be signed (AWS SigV4) by an authorized IAM principal.',
          );
        }
        return;
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(event.normalizedHeaders.authorization ?? '');
      if (!match || !sameSecret(match[1]!, auth.token)) {
        throw new AppError('UNAUTHORIZED', 'Commands need Authorization: Bearer <token>.', [
          { field: 'Authorization', problem: match ? 'is not a valid token' : 'is required' },
        ]);
      }
    },
  };
}
