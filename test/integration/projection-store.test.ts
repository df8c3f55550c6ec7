import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import type { DeadLetterCode } from '../../lib/projection/records.js';
import { MariaDbUserQueries } from '../../lib/readmodel/queries.js';
import { projectionStoreContract } from '../conformance/projection-store.js';
import { rolePool } from '../support/env.js';

const projectionPool = rolePool('projection');
const queryPool = rolePool('query');

projectionStoreContract(
  'MariaDB',
  async () => {
    const queries = new MariaDbUserQueries(queryPool);
    return {
      store: new MariaDbProjectionStore(projectionPool),
      view: (id) => queries.getUser(id),
      deadLetterCodes: async (topic) =>
        (
          (await projectionPool.query('SELECT reason_code FROM dead_letters WHERE topic = ?', [
            topic,
          ])) as Array<{
            reason_code: DeadLetterCode;
          }>
        ).map((r) => r.reason_code),
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
    await queryPool.end();
  },
);
