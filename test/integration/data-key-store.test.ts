/**
 * The key table in the write database meets the same contract as the in-memory twin; and only
 * the roles that read or write plaintext can reach it (the grants of infra/mariadb/users.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readKeyStoreDbConfig } from '../../lib/config.js';
import mariadb from 'mariadb';
import { createPool } from '../../lib/db/pool.js';
import { MariaDbEventStore } from '../../lib/eventstore/mariadb.js';
import type { NewEvent } from '../../lib/eventstore/types.js';
import { MariaDbDataKeyStore } from '../../lib/personal-data/key-store.js';
import { MasterKeyWrapper } from '../../lib/personal-data/key-wrapping.js';
import { Keyring } from '../../lib/personal-data/keyring.js';
import { dataKeyStoreContract } from '../conformance/data-key-store.js';

const command = createPool(readKeyStoreDbConfig(process.env, 'command'));
const OTHER_ROLES = ['relay', 'query', 'ops', 'janitor'] as const;
const projection = createPool({ ...readKeyStoreDbConfig(process.env, 'projection'), connectionLimit: 1 });

afterAll(async () => {
  await Promise.all([command, projection].map((p) => p.end()));
});

dataKeyStoreContract('MariaDB', () => new MariaDbDataKeyStore(command));

describe("a new stream's key and its first events", () => {
  const keys = new MariaDbDataKeyStore(command);
  const keyring = new Keyring(keys, new MasterKeyWrapper(randomBytes(32)));
  const events = new MariaDbEventStore(command);
  const event = (): NewEvent => ({
    eventId: randomUUID(),
    type: 'UserRegistered',
    data: { name: { $pd: 'v1.AAAA' } },
    metadata: { schemaVersion: 1 },
    occurredAt: new Date().toISOString(),
  });
  const appendWithKey = async (streamId: string) => {
    const fresh = await keyring.newKey(streamId);
    return events.append({
      streamId,
      streamType: 'user',
      expectedVersion: 0,
      events: [event()],
      alsoInTransaction: (transaction) => keyring.storeNewKey(fresh, transaction),
    });
  };

  it('are committed by one transaction', async () => {
    const id = randomUUID();
    expect((await appendWithKey(id)).outcome).toBe('appended');
    expect((await keys.find([id])).get(id)?.state).toBe('present');
  });

  it('are rolled back together: a refused append leaves no key behind', async () => {
    const id = randomUUID();
    await events.append({ streamId: id, streamType: 'user', expectedVersion: 0, events: [event()] });
    expect((await appendWithKey(id)).outcome).toBe('version-conflict');
    expect((await keys.find([id])).has(id)).toBe(false);
  });
});

describe('who may reach the data keys', () => {
  it('the projection reads keys but cannot make or erase one', async () => {
    const id = randomUUID();
    await new MariaDbDataKeyStore(command).create(id, randomBytes(60), 'local');
    const store = new MariaDbDataKeyStore(projection);
    expect((await store.find([id])).get(id)?.state).toBe('present');
    await expect(store.create(randomUUID(), randomBytes(60), 'local')).rejects.toThrow(/denied/i);
    await expect(store.erase(id)).rejects.toThrow(/denied/i);
  });

  it.each(OTHER_ROLES)('the %s role cannot read the data keys', async (role) => {
    const cfg = readKeyStoreDbConfig(process.env, role);
    // A role without any grant in the commands database cannot even open it; the others are refused the table.
    const read = async () => {
      const conn = await mariadb.createConnection({ ...cfg, connectTimeout: 5000 });
      try {
        return await new MariaDbDataKeyStore(conn).find([randomUUID()]);
      } finally {
        await conn.end();
      }
    };
    await expect(read()).rejects.toThrow(/denied/i);
  });
});
