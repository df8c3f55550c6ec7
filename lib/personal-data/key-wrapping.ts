/**
 * How a stream's data key is kept at rest: wrapped (encrypted) by a key that never leaves its
 * keeper. Locally the keeper is a master key file in the state folder; deployed it is KMS
 * (kms-key-wrapping.ts). Only a wrapped key is ever stored.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshRandomBytes } from './random.js';

export interface DataKey {
  /** The 32-byte AES key; kept in memory only, and wiped once made a KeyObject (keyObjectOf). */
  plaintext: Buffer;
  /** The same key wrapped by the keeper: what the key store holds. */
  wrapped: Buffer;
}

export interface KeyWrapper {
  /** 'local' or 'kms', recorded beside each wrapped key. */
  readonly kind: string;
  /** A new data key for a stream, plaintext and wrapped. */
  generate(streamId: string): Promise<DataKey>;
  /** The plaintext of a key this keeper wrapped for this stream. */
  unwrap(wrapped: Buffer, streamId: string): Promise<Buffer>;
}

/**
 * A key's bytes as the cipher takes them, made once per key: Node checks a raw Buffer key on
 * every cipher call at several times the cost of the cipher itself. The bytes are wiped once
 * copied.
 */
export function keyObjectOf(plaintext: Uint8Array): KeyObject {
  const key = createSecretKey(plaintext);
  plaintext.fill(0);
  return key;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const GCM = { authTagLength: TAG_BYTES } as const;

/** A data key encrypted with AES-256-GCM under `under`, bound to its stream: IV, tag, ciphertext. */
export function wrapUnder(under: KeyObject, plaintext: Buffer, streamId: string): Buffer {
  const iv = freshRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', under, iv, GCM);
  cipher.setAAD(Buffer.from(streamId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** The plaintext of `wrapUnder`'s output; throws for another key or another stream. */
export function unwrapUnder(under: KeyObject, wrapped: Buffer, streamId: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', under, wrapped.subarray(0, IV_BYTES), GCM);
  decipher.setAAD(Buffer.from(streamId, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Wraps data keys with AES-256-GCM under a master key held in memory (the local keeper, and the tests'). */
export class MasterKeyWrapper implements KeyWrapper {
  readonly kind = 'local';
  private readonly masterKey: KeyObject;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes.');
    this.masterKey = createSecretKey(masterKey);
  }

  async generate(streamId: string): Promise<DataKey> {
    const plaintext = freshRandomBytes(32);
    return { plaintext, wrapped: wrapUnder(this.masterKey, plaintext, streamId) };
  }

  async unwrap(wrapped: Buffer, streamId: string): Promise<Buffer> {
    return unwrapUnder(this.masterKey, wrapped, streamId);
  }
}

/**
 * The local master key: 32 random bytes written once to `file` (mode 0600) by whichever process
 * needs it first, then read by every other. Never logged.
 */
export function localMasterKey(file: string): Buffer {
  try {
    return readMasterKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Another process wrote it first: use that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readMasterKey(file);
}

function readMasterKey(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) {
    throw new Error(
      `The master key file ${file} does not hold 32 bytes of base64; restore it from a backup.`,
    );
  }
  return key;
}
