/**
 * Scenario 3. The projection's process is killed in the worst place: after its batch committed to
 * the read database and before the Kafka offsets were committed. To hit that window every time,
 * a batch is held on a row lock while the broker is killed; released, it commits its transaction
 * and then cannot commit its offsets, and the whole `sls offline` process group is killed there.
 * (Freezing the broker instead is not enough: offset commits already sent would wait in its
 * socket and land after all.) The restarted projection gets those records again and must apply
 * none twice.
 */
import { runConcurrently, type CommandClient } from './support/client.js';
import { Containers, mergedLedger } from './support/containers.js';
import { NO_FAILURES, Oracle } from './support/oracle.js';
import { ensureOffline, stopOffline, type Offline } from './support/processes.js';
import { start, stop } from './support/stack.js';
import { mark } from './support/report.js';

const oracle = new Oracle();
const containers = new Containers({ brokerReachable: true });
let offline: Offline | undefined;

afterAll(async () => {
  await containers.close();
  await oracle.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Audited applies of these streams delivered at or after the group's committed offset of their partition. */
async function appliedButNotCommitted(streams: string[]): Promise<number> {
  const admin = await oracle.kafkaAdmin();
  const committed = await admin.fetchCommittedOffsets(
    process.env.PROJECTION_CONSUMER_GROUP!,
    process.env.KAFKA_TOPIC!,
  );
  let total = 0;
  for (const { partition, offset } of committed) {
    total += await oracle.count(
      oracle.readDb,
      'SELECT COUNT(*) FROM applied_events WHERE stream_id IN (?) AND partition_no = ? AND offset_no >= ?',
      [streams, partition, Math.max(Number(offset), 0)],
    );
  }
  return total;
}

it('3. projection killed after its transaction committed and before its offsets did: nothing is applied twice', async () => {
  const clients: CommandClient[] = Array.from({ length: 10 }, () => containers.client());
  const users: string[] = [];
  offline = await ensureOffline();
  await runConcurrently(500, 10, async (i) => {
    const res = await clients[i % 10]!.register(`Backlog ${i}`);
    users.push(res.body.id);
  });
  mark('registered 500, settled');
  await oracle.settle();
  await stopOffline();

  // A backlog of renames, and a lock on the row of a user renamed early in it: the batch that
  // carries that rename (up to 100 records of its partition) waits on the lock inside its transaction.
  await runConcurrently(1000, 10, (i) => clients[i % 10]!.rename(users[i % 500]!, `Backlog renamed ${i}`));
  const ledger = mergedLedger(clients);
  const streams = [...ledger.streams];
  mark('renames produced');
  const lock = await oracle.readDb.getConnection();
  await lock.beginTransaction();
  await lock.query('SELECT * FROM USER_DATA WHERE USER_ID = ? FOR UPDATE', [users[0]]);
  offline = await ensureOffline();
  const appliedBeforeRelease = await oracle.stalledShortOf(streams, 1500).catch(async (error: Error) => {
    await lock.rollback();
    lock.release();
    throw error;
  });
  mark('batch waits on the lock');
  await stop('broker', 'SIGKILL');
  await lock.rollback();
  await lock.release();
  let appliedAtKill = -1;
  for (let now = await oracle.applied(streams); now !== appliedAtKill; now = await oracle.applied(streams)) {
    appliedAtKill = now;
    await sleep(1000);
  }
  mark('applied count stable');
  await stopOffline('SIGKILL');
  mark('killed');
  await start('broker', process.env as Record<string, string>);
  const notCommitted = await appliedButNotCommitted(streams);

  offline = await ensureOffline();
  await oracle.settle();
  mark('restarted and settled');
  const result = await oracle.check('3. projection killed between its commit and the offset commit', ledger, {
    'events applied while a batch waited on the lock': appliedBeforeRelease,
    'events applied when killed': appliedAtKill,
    'of those, delivered again (offsets not committed)': notCommitted,
    'duplicates skipped after the restart': offline.outcomes('skipped-duplicate'),
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(ledger.acks.length).toBe(1500);
  expect(appliedAtKill).toBeLessThan(1500);
  expect(notCommitted).toBeGreaterThan(0);
  expect(offline.outcomes('skipped-duplicate')).toBeGreaterThanOrEqual(notCommitted);
});
