/**
 * AES-256-GCM for one personal field at a time. A sealed value is `{"$pd": "v1.<base64>"}`, the
 * base64 of a 12-byte IV, the 16-byte tag and the ciphertext of the value's JSON. The additional
 * data binds it to its stream and field, so a sealed value moved to another stream or field does
 * not open.
 * Keys are `KeyObject`s, made once per key (keyObjectOf in key-wrapping.ts says why).
 */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { freshRandomBytes } from './random.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';
const GCM = { authTagLength: TAG_BYTES } as const;

export interface SealedValue {
  $pd: string;
}

/** Whether a value is a sealed personal field (plaintext personal fields are strings, never this object). */
export function isSealed(value: unknown): value is SealedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { $pd?: unknown }).$pd === 'string' &&
    Object.keys(value).length === 1
  );
}

/** Encrypts `value` (any JSON value) with a 32-byte AES key, bound to `context`. */
export function seal(key: KeyObject, context: string, value: unknown): SealedValue {
  const iv = freshRandomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, GCM);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { $pd: PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64') };
}

/** Decrypts a sealed value; throws when the key, the context or the bytes are not the ones it was sealed with. */
export function unseal(key: KeyObject, context: string, sealed: SealedValue): unknown {
  if (!sealed.$pd.startsWith(PREFIX)) throw new Error('unknown sealed-value format');
  const bytes = Buffer.from(sealed.$pd.slice(PREFIX.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), GCM);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const text =
    decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES), undefined, 'utf8') + decipher.final('utf8');
  return JSON.parse(text);
}
