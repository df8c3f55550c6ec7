import type { CoreErrorCode } from '../errors.js';

/**
 * The one mapping from error code to HTTP status: the core's codes here, each aggregate's in its
 * definition; the registry joins them into the table the HTTP functions answer with.
 */
export const CORE_STATUS: Record<CoreErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_HEADER: 400,
  UNAUTHORIZED: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  STREAM_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  REBUILD_RUNNING: 409,
  CONSOLE_NOT_BUILT: 503,
  CONCURRENCY_CONFLICT: 409,
  VERSION_MISMATCH: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The status of a code in `statuses`; a code nobody mapped is a defect, answered as 500. */
export function statusOf(code: string, statuses: Readonly<Record<string, number>>): number {
  return Object.hasOwn(statuses, code) ? statuses[code]! : 500;
}
