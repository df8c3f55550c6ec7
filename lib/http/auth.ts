/**
 * The caller check of the command routes (COMMAND_AUTH, see lib/config.ts). Deployed, API
 * Gateway's IAM authorizer verifies the SigV4 signature before the function runs; `iam` makes the
 * function refuse anything that did not pass it, so a route deployed without the authorizer stays
 * closed. Locally `token` stands in for it: bearer tokens, each naming its caller.
 *
 * It also names the caller (`event.caller`), which scopes Idempotency-Keys: the IAM principal's
 * ARN, the token's caller name, or '' for everyone when commands need no authentication.
 */
import type { MiddlewareObj } from '@middy/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandAuth } from '../config.js';
import { AppError } from '../errors.js';
import type { HttpEvent } from './event.js';
import type { HttpResponse } from './response.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (hashing first, so the lengths leak nothing either). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function iamCaller(event: HttpEvent): string | undefined {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } };
  const arn = context.authorizer?.iam?.userArn;
  return typeof arn === 'string' && arn !== '' ? arn : undefined;
}

/** A caller as stored beside its keys (255 characters at most): a longer ARN by its hash. */
function callerScope(caller: string): string {
  return caller.length <= 255 ? caller : `sha256:${createHash('sha256').update(caller).digest('hex')}`;
}

/** Refuses a command whose caller is not authenticated: 401 UNAUTHORIZED, before the body is read. */
export function requireCaller(auth: CommandAuth): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: ({ event }) => {
      if (auth.mode === 'none') {
        event.caller = '';
        return;
      }
      if (auth.mode === 'iam') {
        const arn = iamCaller(event);
        if (!arn) {
          throw new AppError(
            'UNAUTHORIZED',
            'Commands must be signed (AWS SigV4) by an authorized IAM principal.',
          );
        }
        event.caller = callerScope(arn);
        return;
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(event.normalizedHeaders.authorization ?? '');
      // Every token is compared, so the time taken tells nothing of which one matched.
      const matches = match ? auth.tokens.filter((t) => sameSecret(match[1]!, t.token)) : [];
      if (!matches[0]) {
        throw new AppError('UNAUTHORIZED', 'Commands need Authorization: Bearer <token>.', [
          { field: 'Authorization', problem: match ? 'is not a valid token' : 'is required' },
        ]);
      }
      event.caller = callerScope(`token:${matches[0].caller}`);
    },
  };
}
