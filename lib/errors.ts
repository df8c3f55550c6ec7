/**
 * Errors with stable codes. Callers test the code (`isAppError(e, 'VERSION_MISMATCH')`), never
 * `instanceof`, which breaks across bundles. lib/http/status.ts maps each core code to one HTTP
 * status; each aggregate declares its own codes and statuses, and the registry joins them.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_HEADER',
  'UNAUTHORIZED',
  'VERSION_MISMATCH',
  'CONCURRENCY_CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'ROUTE_NOT_FOUND',
  'STREAM_NOT_FOUND',
  'DEAD_LETTER_NOT_FOUND',
  'REBUILD_RUNNING',
  'CONSOLE_NOT_BUILT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type CoreErrorCode = (typeof ERROR_CODES)[number];

/** A core code, or one an aggregate declares (aggregates/<name>/index.ts, `errors`). */
export type ErrorCode = CoreErrorCode | (string & {});

export interface ErrorDetail {
  field: string;
  problem: string;
}

export class AppError extends Error {
  readonly isAppError = true;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** True for an AppError (optionally of one code), whichever bundle created it. */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  if (typeof error !== 'object' || error === null || (error as AppError).isAppError !== true) return false;
  return code === undefined || (error as AppError).code === code;
}
