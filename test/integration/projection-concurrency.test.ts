/**
 * Batches of different partitions run at the same time (one invocation per partition). When
 * they register new users their gap locks collide and InnoDB picks deadlock victims; the store
 * must apply such a batch anyway, not fail it back to the event source for a delayed retry.
 */
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { randomUUID } from 'node:crypto';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';
import { envelope, record } from '../support/records.js';
import { registry } from '../fixtures/registry.js';

let dbs: IsolatedDatabases;
beforeAll(async () => {
  dbs = await isolatedDatabases('projconc');
}, 60000);
afterAll(() => dbs?.drop());

describe('projection store under concurrent partitions', () => {
  it('applies every batch of new users when three partitions write at once', async () => {
    const pool = dbs.pool('projection');
    const store = new MariaDbProjectionStore(pool, registry, undefined, {
      keyring: keyringFor('projection'),
    });
    const topic = `concurrent-${randomUUID()}`;
    const ids: string[] = [];
    const failures: unknown[] = [];
    await Promise.all(
      [0, 1, 2].map(async (partition) => {
        for (let b = 0; b < 150; b++) {
          const batch = Array.from({ length: 4 }, () => {
            const id = randomUUID();
            ids.push(id);
            return record(
              envelope(id, 1, 'UserRegistered', {
                name: 'Concurrent',
                dateRegister: '2026-01-02T03:04:05.678Z',
              }),
              partition,
              topic,
            );
          });
          await store.projectBatch(batch).catch((error: unknown) => failures.push(error));
        }
      }),
    );
    expect(failures).toEqual([]);
    const [row] = (await pool.query('SELECT COUNT(*) AS n FROM USER_DATA WHERE USER_ID IN (?)', [
      ids,
    ])) as Array<{
      n: number;
    }>;
    expect(Number(row?.n)).toBe(ids.length);
  });
});
