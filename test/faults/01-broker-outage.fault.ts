/**
 * Scenario 1. The broker is stopped during a stream of commands and started again: commands keep
 * succeeding (their events wait in the outbox), the relay publishes them once the broker is back,
 * and everything reaches the read model exactly once.
 */
import { CommandClient, httpTransport, runConcurrently, RenameTargets } from './support/client.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';
import { start, stop } from './support/stack.js';
import { mark } from './support/report.js';

const env = process.env as Record<string, string>;
const scenario = useScenario({ relay: 'broker-outage' });
const { oracle } = scenario;

it('1. broker stopped and restarted during 1,000 commands: every acknowledged command reaches the read model once', async () => {
  const client = new CommandClient(httpTransport(scenario.offline.url));
  const users = new RenameTargets();
  let outage: Promise<void> | undefined;
  let maxOutbox = 0;
  await runConcurrently(1000, 16, async (i) => {
    if (i === 300) {
      outage = (async () => {
        mark('stopping the broker');
        await stop('broker');
        mark('broker stopped');
        const poll = setInterval(async () => {
          maxOutbox = Math.max(maxOutbox, await oracle.count(oracle.writeDb, 'SELECT COUNT(*) FROM outbox'));
        }, 200);
        await new Promise((resolve) => setTimeout(resolve, 6000));
        clearInterval(poll);
        mark('starting the broker');
        await start('broker', env);
        mark('broker started');
      })();
    }
    if (i < 250 || i % 4 === 0) {
      const res = await client.register(client.uniqueName('Outage'));
      if (res.status === 201) users.add(res.body.id);
    } else {
      await users.rename((id) => client.rename(id, client.uniqueName('Outage')));
    }
  });
  await outage;
  mark('commands done');

  const result = await oracle.check('1. broker stopped during commands, restarted', client, {
    'outbox rows at most': maxOutbox,
    'answers 5xx': client.answered(500, 600),
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(client.acknowledged).toBe(1000);
  expect(maxOutbox).toBeGreaterThan(0);
});
