import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import type { DeadLetterCode } from '../../lib/projection/records.js';
import { projectionStoreContract } from '../conformance/projection-store.js';
import { rolePool } from '../support/env.js';
import { registry } from '../fixtures/registry.js';

const projectionPool = rolePool('projection');

projectionStoreContract(
  'MariaDB',
  async () => {
    return {
      store: new MariaDbProjectionStore(projectionPool, registry, undefined, {
        keyring: keyringFor('projection'),
      }),
      /** The row as the projection loads it (its own read of the aggregate's table). */
      view: async (name, id) => {
        const { readModel } = registry.byName(name)!;
        const conn = await projectionPool.getConnection();
        try {
          return (await readModel.load(conn, readModel.table, [id])).get(id);
        } finally {
          await conn.release();
        }
      },
      deadLetterCodes: async (topic) =>
        (
          (await projectionPool.query('SELECT reason_code FROM dead_letters WHERE topic = ?', [
            topic,
          ])) as Array<{
            reason_code: DeadLetterCode;
          }>
        ).map((r) => r.reason_code),
      writerKeyring: keyringFor('command'),
      parkedCount: async (id) =>
        Number(
          (
            (await projectionPool.query('SELECT COUNT(*) AS n FROM parked_events WHERE stream_id = ?', [
              id,
            ])) as Array<{
              n: number;
            }>
          )[0]?.n,
        ),
    };
  },
  async () => {
    await projectionPool.end();
  },
);
