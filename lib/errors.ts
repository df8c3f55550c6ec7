/**
 * Errors with stable codes. Callers test the code (`isAppError(e, 'USER_NOT_FOUND')`), never
 * `instanceof`, which breaks across bundles. lib/http/status.ts maps each code to one HTTP status.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_HEADER',
  'UNAUTHORIZED',
  'USER_NOT_FOUND',
  'USER_DEREGISTERED',
  'USER_GONE',
  'USER_ALREADY_EXISTS',
  'VERSION_MISMATCH',
  'CONCURRENCY_CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'ROUTE_NOT_FOUND',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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
