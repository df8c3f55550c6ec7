/**
 * What the cipher calls of sealing cost on their own, per call, on this machine: the floor under
 * the cost of a projection batch of new users, each of whom needs its key unwrapped, made a
 * KeyObject and its name opened. Also the two alternatives that were measured and not taken:
 * WebCrypto's AES-GCM (it runs on libuv's threads, but its dispatch alone costs more on the main
 * thread) and a `randomBytes` call per IV (lib/personal-data/random.ts cuts them from a pool).
 */
import { createSecretKey, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { seal, unseal } from '../../lib/personal-data/cipher.js';
import { unwrapUnder, wrapUnder } from '../../lib/personal-data/key-wrapping.js';
import { freshRandomBytes } from '../../lib/personal-data/random.js';
import { round } from '../support/stats.js';

export interface CryptoCosts {
  /** Microseconds per call, the best of three passes. */
  openUs: number;
  unwrapUs: number;
  keyObjectUs: number;
  webCryptoDecryptUs: number;
  randomBytesUs: number;
  pooledRandomUs: number;
  /** unwrap + KeyObject + open: what each new user of a projection batch costs at least. */
  newUserFloorUs: number;
}

function microsPerCall(calls: number, pass: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    pass();
    best = Math.min(best, ((performance.now() - started) * 1000) / calls);
  }
  return round(best);
}

export async function cryptoCosts(calls: number): Promise<CryptoCosts> {
  const master = createSecretKey(randomBytes(32));
  const ids = Array.from({ length: calls }, () => randomUUID());
  const sealed = ids.map((id) => seal(master, `${id}/name`, `Someone ${id}`));
  const wrapped = ids.map((id) => wrapUnder(master, randomBytes(32), id));
  const rawKeys = ids.map(() => randomBytes(32));
  const openUs = microsPerCall(calls, () => ids.forEach((id, i) => unseal(master, `${id}/name`, sealed[i]!)));
  const unwrapUs = microsPerCall(calls, () => ids.forEach((id, i) => unwrapUnder(master, wrapped[i]!, id)));
  const keyObjectUs = microsPerCall(calls, () => rawKeys.forEach((k) => createSecretKey(k)));
  const randomBytesUs = microsPerCall(calls, () => ids.forEach(() => randomBytes(12)));
  const pooledRandomUs = microsPerCall(calls, () => ids.forEach(() => freshRandomBytes(12)));

  const subtleKey = await webcrypto.subtle.importKey('raw', randomBytes(32), 'AES-GCM', false, ['decrypt']);
  const iv = randomBytes(12);
  const message = Buffer.concat([randomBytes(24), randomBytes(16)]);
  let dispatchMs = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    let spent = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      // A wrong tag: the decrypt fails, but only after the same work a good one does.
      pending.push(
        webcrypto.subtle.decrypt({ name: 'AES-GCM', iv }, subtleKey, message).catch(() => undefined),
      );
      spent += performance.now() - started;
    }
    await Promise.all(pending);
    dispatchMs = Math.min(dispatchMs, spent);
  }
  return {
    openUs,
    unwrapUs,
    keyObjectUs,
    webCryptoDecryptUs: round((dispatchMs * 1000) / calls),
    randomBytesUs,
    pooledRandomUs,
    newUserFloorUs: round(unwrapUs + keyObjectUs + openUs),
  };
}
