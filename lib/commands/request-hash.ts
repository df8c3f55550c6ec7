/**
 * What makes two requests "the same" for an Idempotency-Key, as the idempotency record keeps it:
 * an HMAC-SHA256 of the request's method, operation, path id, body and If-Match under a key of
 * the key table, never a plain hash. A body holds personal data (a name); a plain SHA-256 of it
 * would let anyone who reads the table check a guessed name against it for as long as the record
 * lives, erasure or not.
 */
import { createHmac } from 'node:crypto';
import type { Keyring } from '../personal-data/keyring.js';

/** The key table's entry for this key: not a UUID, so never a stream's, and never erased. */
export const REQUEST_HASH_KEY_ID = 'idempotency/request-hash';

export async function requestHash(parts: unknown[], keyring: Keyring): Promise<string> {
  const key = await keyring.keyForWriting(REQUEST_HASH_KEY_ID);
  if (key === 'erased') throw new Error(`The key table's ${REQUEST_HASH_KEY_ID} entry was erased.`);
  return createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex');
}
