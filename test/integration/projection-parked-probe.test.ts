/**
 * A batch skips the lookup of its streams' parked events when nothing is parked at all. That is
 * only as safe as the lookup it replaces if no event can be parked between the probe and the
 * batch's commit: the probe is a locking read, so a concurrent park waits for the batch.
 */
import { randomUUID } from 'node:crypto';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { keyringOn } from '../support/keyring.js';
import { isolatedDatabases, type IsolatedDatabases } from '../support/isolated-databases.js';
import { envelope, record } from '../support/records.js';
import { registry } from '../fixtures/registry.js';

let dbs: IsolatedDatabases;
beforeAll(async () => {
  dbs = await isolatedDatabases('parkprobe');
}, 60000);
afterAll(() => dbs?.drop());

const registered = (id: string, version = 1) =>
  envelope(id, version, version === 1 ? 'UserRegistered' : 'UserRenamed', {
    name: 'Probe',
    ...(version === 1 ? { dateRegister: '2026-01-02T03:04:05.678Z' } : {}),
  });

describe('the parked-events probe', () => {
  it('while a batch that found nothing parked is open, no other transaction can park an event', async () => {
    const pool = dbs.pool('projection');
    const store = new MariaDbProjectionStore(pool, registry, undefined, {
      keyring: keyringOn(dbs.pool('command')),
    });
    const batchConn = await pool.getConnection();
    const other = await pool.getConnection();
    try {
      await batchConn.beginTransaction();
      const plan = await store.projectBatchIn(batchConn, [record(registered(randomUUID()))]);
      expect(plan.outcomes).toEqual(['applied']);

      await other.query('SET SESSION innodb_lock_wait_timeout = 1');
      const park = (id: string) =>
        other.query(
          'INSERT INTO parked_events (stream_id, version, event_id, envelope, parked_at) VALUES (?, 3, ?, ?, UTC_TIMESTAMP(3))',
          [id, randomUUID(), JSON.stringify(registered(id, 3))],
        );
      await expect(park(randomUUID())).rejects.toMatchObject({ errno: 1205 });

      await batchConn.commit();
      await expect(park(randomUUID())).resolves.toBeDefined();
    } finally {
      await batchConn.rollback().catch(() => undefined);
      await batchConn.release();
      await other.release();
    }
  });

  it('when another stream has a parked event, a stream of the batch still finds and applies its own', async () => {
    const pool = dbs.pool('projection');
    const store = new MariaDbProjectionStore(pool, registry, undefined, {
      keyring: keyringOn(dbs.pool('command')),
    });
    const [a, b] = [randomUUID(), randomUUID()];
    expect((await store.projectBatch([record(registered(b, 3))])).outcomes).toEqual(['parked']);
    expect((await store.projectBatch([record(registered(a, 2))])).outcomes).toEqual(['parked']);
    const plan = await store.projectBatch([record(registered(a))]);
    expect(plan.outcomes).toEqual(['applied']);
    expect(plan.applied.map((x) => x.envelope.version)).toEqual([1, 2]);
  });
});
