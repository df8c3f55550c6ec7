/**
 * The key table in the write database meets the same contract as the in-memory twin; and only
 * the roles that read or write plaintext can reach it (the grants of infra/mariadb/users.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readKeyStoreDbConfig } from '../../lib/config.js';
import mariadb from 'mariadb';
import { createPool } from '../../lib/db/pool.js';
import { MariaDbDataKeyStore } from '../../lib/personal-data/key-store.js';
import { dataKeyStoreContract } from '../conformance/data-key-store.js';

const command = createPool(readKeyStoreDbConfig(process.env, 'command'));
const OTHER_ROLES = ['relay', 'query', 'ops', 'janitor'] as const;
const projection = createPool({ ...readKeyStoreDbConfig(process.env, 'projection'), connectionLimit: 1 });

afterAll(async () => {
  await Promise.all([command, projection].map((p) => p.end()));
});

dataKeyStoreContract('MariaDB', () => new MariaDbDataKeyStore(command));

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
