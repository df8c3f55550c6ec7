/** The key store's contract, run against the in-memory twin and the MariaDB table. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataKeyStore } from '../../lib/personal-data/key-store.js';

export function dataKeyStoreContract(name: string, makeStore: () => DataKeyStore) {
  describe(`data key store contract: ${name}`, () => {
    const store = makeStore();

    it('a stream that never had a key is absent', async () => {
      expect((await store.find([randomUUID()])).size).toBe(0);
    });

    it("a stream's first key is stored and read back", async () => {
      const id = randomUUID();
      const wrapped = randomBytes(60);
      expect(await store.create(id, wrapped, 'local')).toEqual({ state: 'present', wrapped });
      expect((await store.find([id])).get(id)).toEqual({ state: 'present', wrapped });
    });

    it('a second key for the same stream is refused: the first one stays the stream key', async () => {
      const id = randomUUID();
      const first = randomBytes(60);
      await store.create(id, first, 'local');
      expect(await store.create(id, randomBytes(60), 'local')).toEqual({ state: 'present', wrapped: first });
    });

    it("a new stream's key is inserted once: a second insert fails and the first key stays", async () => {
      const id = randomUUID();
      const first = randomBytes(60);
      await store.insert(id, first, 'local');
      await expect(store.insert(id, randomBytes(60), 'local')).rejects.toThrow();
      expect((await store.find([id])).get(id)).toEqual({ state: 'present', wrapped: first });
    });

    it('no key can be inserted for an erased stream', async () => {
      const id = randomUUID();
      await store.erase(id);
      await expect(store.insert(id, randomBytes(60), 'local')).rejects.toThrow();
      expect((await store.find([id])).get(id)).toEqual({ state: 'erased' });
    });

    it('erasure deletes the key and no new key can be made for that stream', async () => {
      const id = randomUUID();
      await store.create(id, randomBytes(60), 'local');
      await store.erase(id);
      expect((await store.find([id])).get(id)).toEqual({ state: 'erased' });
      expect(await store.create(id, randomBytes(60), 'local')).toEqual({ state: 'erased' });
    });

    it('a stream erased before it had a key is erased too', async () => {
      const id = randomUUID();
      await store.erase(id);
      expect(await store.create(id, randomBytes(60), 'local')).toEqual({ state: 'erased' });
    });

    it('finds many streams at once, each with its own key', async () => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const keys = ids.map(() => randomBytes(60));
      for (const [i, id] of ids.entries()) await store.create(id, keys[i]!, 'local');
      const found = await store.find([...ids, randomUUID()]);
      expect(ids.map((id) => found.get(id))).toEqual(keys.map((wrapped) => ({ state: 'present', wrapped })));
      expect(found.size).toBe(3);
    });
  });
}
