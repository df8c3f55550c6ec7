/**
 * Matching a request to a route by method and path template ('/users/{id}/name'). The deployed
 * API sends whole collections of paths to one function (serverless.yml), so the function, not API
 * Gateway, decides which aggregate's route a request is.
 */
import { AppError } from '../errors.js';
import { UUID } from '../schemas.js';

interface Routable {
  method: string;
  path: string;
}

export interface Match<E> {
  entry: E;
  params: Record<string, string>;
}

/** Every segment counts, an empty one too: '/users/' names an (empty, invalid) id, not the collection. */
const segments = (path: string): string[] => path.split('/');

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = segments(template);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i]!;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return undefined;
      }
      params[name] = decoded;
    } else if (part !== value) return undefined;
  }
  return params;
}

/** The entry (a registry route) for this request; ROUTE_NOT_FOUND when none has its method and path. */
export function matchRoute<E extends { route: Routable }>(
  entries: readonly E[],
  method: string,
  path: string,
): Match<E> {
  for (const entry of entries) {
    if (entry.route.method !== method) continue;
    const params = matchPath(entry.route.path, path);
    if (params) return { entry, params };
  }
  throw new AppError('ROUTE_NOT_FOUND', `No route for ${method} ${path}.`);
}

/** A stream id from the path: a UUID, returned lower-case. */
export function parseStreamId(value: string | undefined, noun: string): string {
  if (value === undefined || !UUID.test(value)) {
    throw new AppError('VALIDATION_FAILED', `The ${noun} id in the path must be a UUID.`, [
      { field: 'id', problem: 'must be a UUID' },
    ]);
  }
  return value.toLowerCase();
}
