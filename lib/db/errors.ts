/**
 * The one place that tells what a database error means. `transient`: the database is down, busy
 * or chose this transaction as a deadlock victim; the same work may succeed when tried again.
 * `data`: the database refused these values (too long, out of range, a constraint); trying the
 * same values again can never succeed. Anything else is a bug or a misconfiguration.
 */
export type DbErrorKind = 'transient' | 'data' | 'other';

interface DbError {
  code?: string;
  errno?: number;
  sqlState?: string;
  fatal?: boolean;
  sqlMessage?: string;
  message?: string;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ER_GET_CONNECTION_TIMEOUT',
  'ER_CONNECTION_TIMEOUT',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CLOSING_POOL',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
]);

const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
const DUPLICATE_KEY = 1062;

/** Refusals of values that the SQLSTATE classes 22 and 23 do not all carry (MariaDB reports some as HY000). */
const DATA_ERRNOS = new Set([
  1048, // a NULL into a NOT NULL column
  1264, // out of range
  1265, // data truncated
  1292, // an incorrect date, time or number
  1366, // an incorrect value for the column (a string the character set cannot hold)
  1367, // an illegal value for the type
  1406, // data too long for the column
  1411, // a wrong value for a function
  1452, // a foreign key
  3140, // invalid JSON
  4025, // a CHECK constraint
  DUPLICATE_KEY,
]);

export function classifyDbError(error: unknown): DbErrorKind {
  const e = (error ?? {}) as DbError;
  if (
    TRANSIENT_CODES.has(e.code ?? '') ||
    e.errno === DEADLOCK ||
    e.errno === LOCK_WAIT_TIMEOUT ||
    e.fatal === true
  ) {
    return 'transient';
  }
  if (DATA_ERRNOS.has(e.errno ?? -1) || /^2[23]/.test(e.sqlState ?? '')) return 'data';
  return 'other';
}

/** True for failures of the database that a retry may cure. */
export const isTransient = (error: unknown): boolean => classifyDbError(error) === 'transient';

/** True when InnoDB rolled this transaction back to break a deadlock: nothing of it was written. */
export const isDeadlock = (error: unknown): boolean => (error as DbError | undefined)?.errno === DEADLOCK;

/** The name of the unique key a duplicate-key error names ('' if it names none), else undefined. */
export function duplicateKeyName(error: unknown): string | undefined {
  const e = (error ?? {}) as DbError;
  if (e.errno !== DUPLICATE_KEY) return undefined;
  return /for key '([^']+)'/.exec(e.sqlMessage ?? e.message ?? '')?.[1] ?? '';
}
