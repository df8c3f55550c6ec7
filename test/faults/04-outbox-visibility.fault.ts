/**
 * Scenario 8. Many users' events are appended by fifty concurrent containers whose immediate
 * publish fails, so the relay publishes all of them, tailing the outbox with no minimum age.
 * Under concurrent commits InnoDB makes AUTO_INCREMENT positions visible out of order; a relay
 * that kept a high-water mark would skip the late ones. The relay's batches show how often a
 * position arrived after a higher one had been published, and the topic holds every event.
 */
import { collectEnvelopes } from '../support/kafka.js';
import type { CommandClient } from './support/client.js';
import { Containers, mergedLedger } from './support/containers.js';
import { NO_FAILURES, Oracle } from './support/oracle.js';
import { ensureOffline, startRelay, stopOffline, type RelayProcess } from './support/processes.js';

const WRITERS = 50;
const COMMANDS = 1500;
const oracle = new Oracle();
const containers = new Containers({ brokerReachable: false });
let relay: RelayProcess;

beforeAll(async () => {
  // The projection (and the relay sls offline schedules) start after the load: this relay alone publishes it.
  await stopOffline();
  relay = startRelay('outbox-visibility', {
    env: { RELAY_MIN_AGE_MS: '0', RELAY_INTERVAL_MS: '10', RELAY_BATCH_SIZE: '50' },
  });
});

afterAll(async () => {
  await relay?.stop();
  await containers.close();
  await oracle.close();
});

/** Positions published after a higher position had already been published by an earlier batch. */
function lateVisible(batches: number[][]): number {
  let highest = 0;
  let late = 0;
  for (const batch of batches) {
    late += batch.filter((p) => p < highest).length;
    highest = Math.max(highest, ...batch);
  }
  return late;
}

it('8. 1,500 commands from 50 containers while the relay tails the outbox: no event is skipped', async () => {
  // One command whose transaction stays open while all the others run: its position is lower
  // than theirs, but it becomes visible last. Concurrent commits add more such cases by chance.
  let release = () => undefined as void;
  const slow = containers.client({ holdOpen: new Promise<void>((resolve) => (release = resolve)) });
  const slowCommand = slow.register('Committed last');
  const clients: CommandClient[] = Array.from({ length: WRITERS }, () => containers.client());
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      const mine: string[] = [];
      while (next < COMMANDS) {
        const i = next++;
        if (mine.length < 3 || i % 3 === 0) {
          const res = await client.register(client.uniqueName(`Visible ${i}`));
          if (res.status === 201) mine.push(res.body.id);
        } else {
          await client.rename(mine[i % mine.length]!, client.uniqueName(`Visible ${i}`));
        }
      }
    }),
  );
  release();
  const slowId = (await slowCommand).body.id as string;
  const ledger = mergedLedger([...clients, slow]);
  await ensureOffline();
  await oracle.settle();
  const events = await oracle.events([...ledger.streams]);
  const onTopic = await collectEnvelopes(ledger.streams, events.length, { timeoutMs: 60000, settleMs: 1000 });
  const seen = new Set(onTopic.map((e) => `${e.streamId}#${e.version}`));
  const missingOnTopic = events.filter((e) => !seen.has(`${e.streamId}#${e.version}`)).length;
  const relayed = relay.batches.flat();
  const slowEvent = events.find((e) => e.streamId === slowId)!;
  const publishedBeforeIt = relay.batches
    .slice(
      0,
      relay.batches.findIndex((b) => b.includes(slowEvent.position)),
    )
    .flat();

  const result = await oracle.check('8. many users appended while the relay tails the outbox', ledger, {
    'events published by the relay process': relayed.length,
    'positions that became visible after a higher one was published': lateVisible(relay.batches),
    'events missing on the topic': missingOnTopic,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(ledger.acks.length).toBe(COMMANDS + 1);
  expect(missingOnTopic).toBe(0);
  expect(relayed.length).toBeGreaterThan(0);
  expect(Math.max(...publishedBeforeIt)).toBeGreaterThan(slowEvent.position);
  expect(lateVisible(relay.batches)).toBeGreaterThan(0);
});
