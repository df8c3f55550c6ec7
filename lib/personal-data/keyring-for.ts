/**
 * Each function's keyring, built once per container from the environment (config.personalData):
 * its role's connection to the key table, and the keeper that wraps the keys (the local master
 * key, or KMS).
 */
import { config, type AppRole, type PersonalDataConfig } from '../config.js';
import { keyStorePool } from '../db/pool.js';
import { MariaDbDataKeyStore } from './key-store.js';
import { localMasterKey, MasterKeyWrapper, type KeyWrapper } from './key-wrapping.js';
import { KmsKeyWrapper } from './kms-key-wrapping.js';
import { Keyring } from './keyring.js';

/** The keeper the configuration names. */
export function keyWrapperOf(settings: PersonalDataConfig): KeyWrapper {
  return settings.keys === 'kms'
    ? new KmsKeyWrapper(settings.kmsKeyId)
    : new MasterKeyWrapper(localMasterKey(settings.masterKeyFile));
}

const keyrings = new Map<AppRole, Keyring>();

/** The shared keyring of one role (command, projection, operator). */
export function keyringFor(role: AppRole): Keyring {
  let existing = keyrings.get(role);
  if (!existing) {
    const settings = config.personalData();
    // The pool is looked up per query, so a keyring outlives closePools() (tests close them).
    const table = { query: (sql: string, values?: unknown) => keyStorePool(role).query(sql, values) };
    existing = new Keyring(new MariaDbDataKeyStore(table), keyWrapperOf(settings), {
      ttlMs: settings.cacheMs,
    });
    keyrings.set(role, existing);
  }
  return existing;
}
