import { jest } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { registry } from '../../../aggregates/index.js';
import type { NewEvent, UnpositionedEvent } from '../../../lib/eventstore/types.js';
import { isSealed } from '../../../lib/personal-data/cipher.js';
import { openEvents, sealEvents } from '../../../lib/personal-data/events.js';
import { InMemoryDataKeyStore } from '../../../lib/personal-data/key-store.js';
import { MasterKeyWrapper } from '../../../lib/personal-data/key-wrapping.js';
import { Keyring } from '../../../lib/personal-data/keyring.js';

const users = registry.byName('users')!;
const registration = (name: string): NewEvent => ({
  eventId: randomUUID(),
  type: 'UserRegistered',
  data: { name, dateRegister: '2026-12-03T10:00:00.000Z' },
  metadata: {},
  occurredAt: '2026-12-03T10:00:00.000Z',
});

/** The events as an append hands them to the write models, at versions 1… of the stream. */
const unpositioned = (streamId: string, events: NewEvent[]): UnpositionedEvent[] =>
  events.map((e, i) => ({ ...e, streamId, streamType: users.streamType, version: i + 1 }));

describe("an aggregate's events sealed and opened", () => {
  const store = new InMemoryDataKeyStore();
  const master = new MasterKeyWrapper(randomBytes(32));

  async function registered(keyring: Keyring, name: string) {
    const id = randomUUID();
    const sealed = await sealEvents(users, id, [registration(name)], keyring, true);
    if (sealed === 'erased') throw new Error('a new stream has no erased key');
    await keyring.storeNewKey(sealed.newKey!);
    return { id, events: unpositioned(id, sealed.events) };
  }

  it('the write models of an append get the plaintext this container sealed, with no key lookup or decryption', async () => {
    const keyring = new Keyring(store, master);
    const { events } = await registered(keyring, 'Ada');
    expect(isSealed((events[0]!.data as { name: unknown }).name)).toBe(true);
    const lookups = jest.spyOn(keyring, 'keysFor');
    const [opened] = await openEvents(users, events, keyring);
    expect(opened!.data).toEqual({ name: 'Ada', dateRegister: '2026-12-03T10:00:00.000Z' });
    expect(lookups).not.toHaveBeenCalled();
  });

  it('the same events read back from the store are opened with the stream key, in this container or another', async () => {
    const writer = new Keyring(store, master);
    const { id, events } = await registered(writer, 'Grace');
    const stored = JSON.parse(JSON.stringify(events)) as UnpositionedEvent[];
    for (const keyring of [writer, new Keyring(store, master)]) {
      const lookups = jest.spyOn(keyring, 'keysFor');
      const [opened] = await openEvents(users, stored, keyring);
      expect(opened!.data).toEqual({ name: 'Grace', dateRegister: '2026-12-03T10:00:00.000Z' });
      expect(lookups).toHaveBeenCalledWith([id]);
    }
  });

  it('once the key is erased, events read back from the store show the erased name', async () => {
    const keyring = new Keyring(store, master);
    const { id, events } = await registered(keyring, 'Linus');
    await keyring.erase(id);
    const [opened] = await openEvents(users, JSON.parse(JSON.stringify(events)), new Keyring(store, master));
    expect((opened!.data as { name: unknown }).name).not.toBe('Linus');
  });
});
