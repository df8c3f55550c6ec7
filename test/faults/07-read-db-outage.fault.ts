/**
 * Scenario 10. The read database's server is killed while commands keep coming, and stays down
 * for a while: commands still succeed (the write side is up), reads answer 503, the projection's
 * batches fail and are retried by the event source. Once the server is back the projection
 * catches up and nothing is lost or applied twice.
 */
import {
  CommandClient,
  httpTransport,
  runConcurrently,
  type Answer,
  RenameTargets,
} from './support/client.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';
import { start, stop } from './support/stack.js';

const env = process.env as Record<string, string>;
const scenario = useScenario({ relay: 'read-db-outage' });
const { oracle } = scenario;

it('10. read database down for 12 s during 1,000 commands: the projection retries, catches up, loses nothing', async () => {
  const failedBefore = scenario.offline.failedBatches();
  const client = new CommandClient(httpTransport(scenario.offline.url));
  const http = httpTransport(scenario.offline.url);
  const users = new RenameTargets();
  let firstUser = '';
  const readsDuringOutage: Answer[] = [];
  let outage: Promise<void> | undefined;
  await runConcurrently(1000, 8, async (i) => {
    if (i === 250) {
      outage = (async () => {
        await stop('readDb', 'SIGKILL');
        const id = firstUser;
        const reads = Promise.all([0, 1, 2].map(() => http({ method: 'GET', path: `/users/${id}` })));
        await new Promise((resolve) => setTimeout(resolve, 12000));
        readsDuringOutage.push(...(await reads));
        await start('readDb', env);
      })();
    }
    if (users.size < 20 || i % 3 === 0) {
      const res = await client.register(client.uniqueName('Reader'));
      if (res.status === 201) {
        firstUser ||= res.body.id;
        users.add(res.body.id);
      }
    } else {
      await users.rename((id) => client.rename(id, client.uniqueName('Reader')));
    }
  });
  await outage;
  await oracle.settle();

  const result = await oracle.check('10. read database down for a while', client, {
    'projection batches failed and retried': scenario.offline.failedBatches() - failedBefore,
    'reads answered 503 during the outage': readsDuringOutage.filter((r) => r.status === 503).length,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(client.acknowledged).toBe(1000);
  expect(scenario.offline.failedBatches()).toBeGreaterThan(failedBefore);
  expect(readsDuringOutage.map((r) => [r.status, r.body?.error?.code])).toEqual([
    [503, 'SERVICE_UNAVAILABLE'],
    [503, 'SERVICE_UNAVAILABLE'],
    [503, 'SERVICE_UNAVAILABLE'],
  ]);
});
