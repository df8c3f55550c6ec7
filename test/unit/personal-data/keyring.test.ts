import { randomBytes, randomUUID } from 'node:crypto';
import { InMemoryDataKeyStore } from '../../../lib/personal-data/key-store.js';
import { MasterKeyWrapper, type KeyWrapper } from '../../../lib/personal-data/key-wrapping.js';
import { Keyring } from '../../../lib/personal-data/keyring.js';

/** A wrapper that counts its unwraps. */
function counting(inner: KeyWrapper) {
  const counts = { generate: 0, unwrap: 0 };
  const wrapper: KeyWrapper = {
    kind: inner.kind,
    generate: (id) => (counts.generate++, inner.generate(id)),
    unwrap: (w, id) => (counts.unwrap++, inner.unwrap(w, id)),
  };
  return { wrapper, counts };
}

describe('keyring', () => {
  const store = new InMemoryDataKeyStore();
  const master = new MasterKeyWrapper(randomBytes(32));

  it("a stream's key is made once; every container then unwraps the same key", async () => {
    const id = randomUUID();
    const key = await new Keyring(store, master).keyForWriting(id);
    const other = (await new Keyring(store, master).keysFor([id])).get(id);
    expect(key !== 'erased' && other !== undefined && other !== 'erased' && other.equals(key)).toBe(true);
  });

  it("a new stream's key seals at once but is found only once its append has stored it", async () => {
    const id = randomUUID();
    const writer = new Keyring(store, master);
    const fresh = await writer.newKey(id);
    expect((await new Keyring(store, master).keysFor([id])).has(id)).toBe(false);
    await writer.storeNewKey(fresh);
    const found = (await new Keyring(store, master).keysFor([id])).get(id);
    expect(found !== undefined && found !== 'erased' && found.equals(fresh.key)).toBe(true);
  });

  it('a key is unwrapped once per container while cached, again after the cache time', async () => {
    const id = randomUUID();
    await new Keyring(store, master).keyForWriting(id);
    let now = 0;
    const { wrapper, counts } = counting(master);
    const keyring = new Keyring(store, wrapper, { ttlMs: 1000, now: () => now });
    for (let i = 0; i < 100; i++) await keyring.keysFor([id]);
    expect(counts.unwrap).toBe(1);
    now = 1001;
    await keyring.keysFor([id]);
    expect(counts.unwrap).toBe(2);
  });

  it('after erasure no container gets the key, and none can make a new one for that stream', async () => {
    const id = randomUUID();
    const writer = new Keyring(store, master);
    await writer.keyForWriting(id);
    await writer.erase(id);
    expect(await writer.keyForWriting(id)).toBe('erased');
    expect((await new Keyring(store, master).keysFor([id])).get(id)).toBe('erased');
  });

  it('the master key wrapper refuses a wrapped key of another stream', async () => {
    const { wrapped } = await master.generate('stream-a');
    await expect(master.unwrap(wrapped, 'stream-b')).rejects.toThrow();
  });
});
