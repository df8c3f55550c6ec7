/**
 * Scenario 10b. The read database stays down for at least 90 s, longer than ten retries' backoff
 * of the event source (0.5 s doubling to 10 s: 65.5 s for ten), and until a batch has failed more
 * than ten times (each attempt also waits up to the pool's 10 s acquire timeout), with the
 * mapping's deployed failure policy: infinite retries, no on-failure destination. With an
 * on-failure destination Lambda would give up after ten retries and move the offsets past those
 * batches, and their events would be missing from the read model for good. Here the batches wait
 * and are applied once the server is back: nothing lost, nothing applied twice, nothing parked.
 */
import { CommandClient, httpTransport, runConcurrently, RenameTargets } from './support/client.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';
import { start, stop } from './support/stack.js';

const env = process.env as Record<string, string>;
const scenario = useScenario({ relay: 'read-db-long-outage' });
const { oracle } = scenario;
const MIN_OUTAGE_MS = 90000;
const MAX_OUTAGE_MS = 300000;

/** The highest retry number the event source logged ("…failed (<error, maybe several lines>); retry 12 in 10s"). */
const highestRetry = (log: string) =>
  Math.max(
    0,
    ...[...log.matchAll(/offline-kafka: .*? failed \([\s\S]*?\); retry (\d+) in/g)].map((m) => Number(m[1])),
  );

it('10b. read database down for 90 s and more, past ten retries: the batches wait, nothing is skipped, lost or parked', async () => {
  const client = new CommandClient(httpTransport(scenario.offline.url));
  const users = new RenameTargets();
  const failedBefore = scenario.offline.failedBatches();
  let outage: Promise<void> | undefined;
  let down = 0;
  await runConcurrently(600, 4, async (i) => {
    if (i === 100) {
      outage = (async () => {
        await stop('readDb', 'SIGKILL');
        const since = Date.now();
        const pastTen = () => highestRetry(scenario.offline.output()) > 10;
        while (Date.now() - since < MAX_OUTAGE_MS && (Date.now() - since < MIN_OUTAGE_MS || !pastTen())) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        down = Date.now() - since;
        await start('readDb', env);
      })();
    }
    // Spread the commands over the outage, so batches keep arriving while the database is down.
    if (i >= 100 && i < 500) await new Promise((resolve) => setTimeout(resolve, 600));
    if (users.size < 30 || i % 3 === 0) {
      const res = await client.register(client.uniqueName('Patient'));
      if (res.status === 201) users.add(res.body.id);
    } else {
      await users.rename((id) => client.rename(id, client.uniqueName('Patient')));
    }
  });
  await outage;
  await oracle.settle();

  const retried = highestRetry(scenario.offline.output());
  const result = await oracle.check('10b. read database down past ten retries', client, {
    'server down ms': down,
    'projection batches failed and retried': scenario.offline.failedBatches() - failedBefore,
    'most retries of one batch': retried,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(client.acknowledged).toBe(600);
  expect(retried).toBeGreaterThan(10);
}, 600000);
