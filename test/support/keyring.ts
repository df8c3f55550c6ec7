/**
 * The keyring on a given commands database (throwaway or isolated), with the local master key of
 * the state folder: one per database handle, as a container has one, so what a command sealed is
 * in its cache when the write model opens it inside the append's transaction.
 */
import type { Queryable } from '../../lib/aggregate/definition.js';
import { readPersonalDataConfig } from '../../lib/config.js';
import { MariaDbDataKeyStore } from '../../lib/personal-data/key-store.js';
import { keyWrapperOf } from '../../lib/personal-data/keyring-for.js';
import { Keyring } from '../../lib/personal-data/keyring.js';

const keyrings = new WeakMap<Queryable, Keyring>();

export function keyringOn(commandsDb: Queryable): Keyring {
  let keyring = keyrings.get(commandsDb);
  if (!keyring) {
    keyring = new Keyring(
      new MariaDbDataKeyStore(commandsDb),
      keyWrapperOf(readPersonalDataConfig(process.env)),
    );
    keyrings.set(commandsDb, keyring);
  }
  return keyring;
}
