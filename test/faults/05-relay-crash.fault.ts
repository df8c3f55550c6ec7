/**
 * Scenario 9. The relay crashes (SIGKILL) after the broker acknowledged a batch and before it
 * cleared those outbox rows, three times in a row. The rows stay pending, so the next relay
 * publishes them again; the projection, started afterwards, sees each of those events several
 * times on the topic and applies each once.
 */
import { collectEnvelopes } from '../support/kafka.js';
import { runConcurrently } from './support/client.js';
import { Containers } from './support/containers.js';
import { NO_FAILURES, Oracle } from './support/oracle.js';
import {
  ensureOffline,
  startRelay,
  stopOffline,
  type Offline,
  type RelayProcess,
} from './support/processes.js';

const oracle = new Oracle();
const containers = new Containers({ brokerReachable: false });
const relayEnv = { RELAY_MIN_AGE_MS: '0', RELAY_BATCH_SIZE: '100' };
let offline: Offline | undefined;
let relay: RelayProcess | undefined;

afterAll(async () => {
  await relay?.stop();
  await containers.close();
  await oracle.close();
});

it('9. relay killed after publishing and before clearing, three times: the duplicates are absorbed', async () => {
  // No projection (and no scheduled relay of sls offline) until the crashes are over.
  await stopOffline();
  const client = containers.client();
  const users: string[] = [];
  await runConcurrently(100, 10, async () => {
    users.push((await client.register(client.uniqueName('Relayed'))).body.id);
  });
  await runConcurrently(200, 10, (i) => client.rename(users[i % 100]!, client.uniqueName('Relayed')));
  const pending = () => oracle.count(oracle.writeDb, 'SELECT COUNT(*) FROM outbox');
  expect(await pending()).toBe(300);

  const crashedBatches: number[][] = [];
  for (let crash = 0; crash < 3; crash++) {
    const crashing = startRelay('relay-crash', { crashAfterPublish: true, env: relayEnv });
    await crashing.exited;
    expect(crashing.batches).toHaveLength(1);
    crashedBatches.push(crashing.batches[0]!);
    expect(await pending()).toBe(300);
  }
  relay = startRelay('relay-after-crash', { env: relayEnv });
  offline = await ensureOffline();
  await oracle.settle();
  const onTopic = await collectEnvelopes(client.streams, 300 + 3 * 100, { timeoutMs: 60000, settleMs: 1000 });

  const result = await oracle.check('9. relay crashed after publishing, before clearing (3 times)', client, {
    'events published by crashed relays': crashedBatches.flat().length,
    'messages on the topic for 300 events': onTopic.length,
    'duplicates skipped by the projection': offline.outcomes('skipped-duplicate'),
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(onTopic).toHaveLength(600);
  expect(offline.outcomes('skipped-duplicate')).toBeGreaterThanOrEqual(300);
});
