/**
 * Found by running scenario 2 after scenario 1b on a busy machine: the broker froze for longer
 * than the projection consumer's session timeout. When it woke up it could forget the member, and
 * the offset commit of a batch in flight failed with "The coordinator is not aware of this
 * member"; kafkajs restarts a crashed consumer only after a retriable error, so it stayed stopped
 * and the read model fell behind for good while commands kept succeeding. Here a batch is held on
 * a row lock across a freeze longer than the session timeout: whether the group keeps the member
 * or the event source has to replace the consumer, every event must reach the read model once.
 * (The event source's integration tests pin each of the two paths down on their own.)
 */
import { CommandClient, httpTransport, runConcurrently } from './support/client.js';
import { NO_FAILURES } from './support/oracle.js';
import { mark } from './support/report.js';
import { useScenario } from './support/scenario.js';
import { freeze, signal } from './support/stack.js';

const scenario = useScenario({ relay: 'projection-session-expired' });
const { oracle } = scenario;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longer than the consumer's 30 s session timeout. */
const FREEZE_MS = 40000;

it('1c. the broker freezes past the session timeout while a projection batch is held: the projection carries on and the read model catches up', async () => {
  const { offline } = scenario;
  const client = new CommandClient(httpTransport(offline.url));
  const users: string[] = [];
  await runConcurrently(300, 10, async () => {
    const res = await client.register(client.uniqueName('Session'));
    if (res.status === 201) users.push(res.body.id);
  });
  await oracle.settle();
  const replacedBefore = replacements(offline.output());

  // Hold the batch that carries the first rename on a row lock, freeze the broker past the
  // session timeout, and let the batch finish while the broker is frozen: its offset commit
  // reaches a broker that has just expired the member.
  const lock = await oracle.readDb.getConnection();
  await lock.beginTransaction();
  await lock.query('SELECT * FROM USER_DATA WHERE USER_ID = ? FOR UPDATE', [users[0]]);
  try {
    await runConcurrently(600, 10, (i) =>
      client.rename(users[i % users.length]!, client.uniqueName('Session')),
    );
    await oracle.stalledShortOf([...client.streams], 900);
    mark('batch held on the lock; freezing the broker');
    await freeze('broker');
    await sleep(1000);
  } finally {
    await lock.rollback();
    lock.release();
  }
  try {
    await sleep(FREEZE_MS);
  } finally {
    signal('broker', 'SIGCONT');
  }
  mark('broker thawed');

  const result = await oracle.check('1c. broker frozen past the session timeout mid-batch', client, {
    'broker frozen ms': FREEZE_MS + 1000,
    'consumers replaced after an error kafkajs does not retry':
      replacements(offline.output()) - replacedBefore,
    'duplicates skipped': offline.outcomes('skipped-duplicate'),
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(client.acknowledged).toBe(900);
});

function replacements(output: string): number {
  return (output.match(/consumer stopped on an error it does not retry/g) ?? []).length;
}
