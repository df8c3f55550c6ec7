/**
 * Scenario 7. Fifty writers rename one user at the same time, each as its own container (its own
 * handler, pool and connection, as Lambda runs them): with If-Match exactly one writer wins each
 * round and the others get 412; without it the losers are decided again on fresh state and give
 * up with 409 after a bounded number of tries. The stream's versions stay contiguous, every 2xx is
 * one event, and the read model ends equal to the fold.
 */
import { Containers, mergedLedger } from './support/containers.js';
import { NO_FAILURES, Oracle } from './support/oracle.js';
import { ensureOffline } from './support/processes.js';

const WRITERS = 50;
const oracle = new Oracle();
const containers = new Containers({ brokerReachable: true });

beforeAll(async () => {
  await ensureOffline();
});

afterAll(async () => {
  await containers.close();
  await oracle.close();
});

it('7. fifty concurrent writers on one user, 20 rounds (15 with If-Match, 5 without): contiguous versions, losers 409/412, no lost update', async () => {
  const writers = Array.from({ length: WRITERS }, () => containers.client());
  const registered = await writers[0]!.register('Contended');
  const id = registered.body.id as string;
  let version = 1;
  let pinnedWinners = 0;
  for (let round = 0; round < 15; round++) {
    const answers = await Promise.all(
      writers.map((w, i) => w.rename(id, `Pinned ${round} by ${i}`, { ifMatch: version })),
    );
    const won = answers.filter((a) => a.status === 200);
    pinnedWinners += won.length;
    version = Math.max(version, ...won.map((a) => a.body.version as number));
  }
  for (let round = 0; round < 5; round++) {
    await Promise.all(writers.map((w, i) => w.rename(id, `Free ${round} by ${i}`)));
  }

  const ledger = mergedLedger(writers);
  const statuses = ledger.statuses;
  const versions = (
    (await oracle.writeDb.query('SELECT version FROM events WHERE stream_id = ? ORDER BY version', [
      id,
    ])) as Array<{ version: number }>
  ).map((r) => Number(r.version));
  const result = await oracle.check('7. 50 concurrent writers on one user', ledger, {
    'answered 200': statuses.get(200) ?? 0,
    'answered 412': statuses.get(412) ?? 0,
    'answered 409': statuses.get(409) ?? 0,
    'stream version': versions.length,
  });

  expect(result.failures).toEqual(NO_FAILURES);
  expect(ledger.commands).toBe(1 + 20 * WRITERS);
  expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 201, 412]));
  expect([...statuses.keys()].every((s) => [200, 201, 409, 412].includes(s))).toBe(true);
  expect(pinnedWinners).toBe(15);
  expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
  expect(versions.length).toBe(ledger.acks.length);
  expect(new Set(ledger.acks.map((a) => a.version)).size).toBe(ledger.acks.length);
});
