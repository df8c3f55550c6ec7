/**
 * The applied-events audit (PROJECTION_AUDIT=applied) that the fault-injection suite counts
 * double applies with: one row per event applied, written with the change it made.
 */
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { randomUUID } from 'node:crypto';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { rolePool } from '../support/env.js';
import { record, userStream } from '../support/records.js';
import { registry } from '../fixtures/registry.js';

const projectionPool = rolePool('projection');

afterAll(async () => {
  await projectionPool.end();
});

async function auditRows(streamId: string): Promise<Array<{ version: number; n: number }>> {
  const rows = (await projectionPool.query(
    'SELECT version, COUNT(*) AS n FROM applied_events WHERE stream_id = ? GROUP BY version ORDER BY version',
    [streamId],
  )) as Array<{ version: number; n: number }>;
  return rows.map((r) => ({ version: Number(r.version), n: Number(r.n) }));
}

describe('applied-events audit', () => {
  it('records each applied event once, including one unparked later, and nothing for duplicates', async () => {
    const store = new MariaDbProjectionStore(projectionPool, registry, undefined, {
      keyring: keyringFor('projection'),
      auditApplied: true,
    });
    const id = randomUUID();
    const [v1, v2, v3] = userStream(id, 2);
    await store.projectBatch([record(v1!), record(v3!), record(v1!)]);
    expect(await auditRows(id)).toEqual([{ version: 1, n: 1 }]);
    await store.projectBatch([record(v2!), record(v3!), record(v2!)]);
    await store.projectBatch([record(v1!), record(v2!), record(v3!)]);
    expect(await auditRows(id)).toEqual([
      { version: 1, n: 1 },
      { version: 2, n: 1 },
      { version: 3, n: 1 },
    ]);
  });

  it('is off by default: the store writes no audit rows', async () => {
    const store = new MariaDbProjectionStore(projectionPool, registry, undefined, {
      keyring: keyringFor('projection'),
    });
    const id = randomUUID();
    await store.projectBatch(userStream(id, 1).map((e) => record(e)));
    expect(await auditRows(id)).toEqual([]);
  });
});
