import { AppError } from '../errors.js';

export type Headers = Record<string, string | undefined>;

/** Header names lower-cased (API Gateway v2 already does; other sources may not). */
export function normalizeHeaders(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The version in `If-Match: "3"` (also `3`, `W/"3"`); undefined when absent or `*`. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value);
  if (!match) {
    throw new AppError('INVALID_HEADER', 'If-Match must be a quoted version number, like "3".', [
      { field: 'If-Match', problem: 'must be a quoted version number' },
    ]);
  }
  return Number(match[1]);
}

/** An Idempotency-Key: 1-255 visible ASCII characters. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new AppError('INVALID_HEADER', 'Idempotency-Key must be 1-255 visible ASCII characters.', [
      { field: 'Idempotency-Key', problem: 'must be 1-255 visible ASCII characters' },
    ]);
  }
  return value;
}
