/**
 * Scenario 11b. Users are erased while commands, the relay and the projection run: renames race
 * the erasures of the same users, half of the commands reach Kafka only through the relay (their
 * container cannot reach the broker). At rest no erased user's name is anywhere (events, outbox,
 * idempotency records, dead letters, parked events, both USER_DATA tables, the topic, every log of
 * the run), while every other user still equals the fold of the event store and keeps its name.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { collectEnvelopes } from '../support/kafka.js';
import { CommandClient, httpTransport, runConcurrently } from './support/client.js';
import { Containers, mergedLedger } from './support/containers.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';
import { CURRENT } from './support/stack.js';

const USERS = 200;
const scenario = useScenario({ relay: 'erasure' });
const { oracle } = scenario;
const containers = new Containers({ brokerReachable: false });
const gone = `Gone${randomBytes(5).toString('hex')}`;
const kept = `Kept${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  await containers.close();
});

async function logText(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'data') text += await logText(full);
    else if (entry.isFile() && /\.log$/.test(entry.name)) text += await readFile(full, 'utf8');
  }
  return text;
}

it('11b. users erased while commands, relay and projection run: no erased name anywhere, the others equal the fold', async () => {
  const http = new CommandClient(httpTransport(scenario.offline.url));
  const viaRelay = containers.client();
  const clients = [http, viaRelay];
  const doomed: string[] = [];
  const others: string[] = [];
  await runConcurrently(USERS, 16, async (i) => {
    const erase = i % 2 === 0;
    const client = clients[i % 4 < 2 ? 0 : 1]!;
    const res = await client.register(client.uniqueName(`${erase ? gone : kept} user`));
    if (res.status === 201) (erase ? doomed : others).push(res.body.id);
  });
  expect(doomed.length + others.length).toBe(USERS);

  // Renames of every user, deregistrations of some, and one erasure of each doomed user, interleaved.
  const tasks: Array<() => Promise<unknown>> = [];
  for (const [i, id] of doomed.entries()) {
    const client = clients[i % 2]!;
    tasks.push(() => client.rename(id, client.uniqueName(`${gone} renamed`)));
    if (i % 5 === 0) tasks.push(() => client.deregister(id));
    tasks.push(() => client.rename(id, client.uniqueName(`${gone} renamed`)));
    tasks.push(() => clients[(i + 1) % 2]!.erase(id));
    tasks.push(() => client.rename(id, client.uniqueName(`${gone} late`)));
  }
  for (const [i, id] of others.entries()) {
    const client = clients[i % 2]!;
    tasks.push(() => client.rename(id, client.uniqueName(`${kept} renamed`)));
    if (i % 5 === 0) tasks.push(() => client.deregister(id));
  }
  // A deterministic shuffle, so erasures race the renames of their own users.
  let seed = 7;
  const order = tasks.map((_, i) => i).sort(() => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3) - 1);
  await runConcurrently(order.length, 16, (n) => tasks[order[n]!]!());
  // Every doomed user erased, whatever the races answered (an erasure of an erased user is 200
  // too), in-process: an answer of sls offline's own Lambda timeout would pass for a 200 here.
  for (const id of doomed) expect((await viaRelay.erase(id)).body.id).toBe(id);

  const ledger = mergedLedger(clients);
  const result = await oracle.check('11b. users erased during commands, relay and projection', ledger, {
    'users erased': doomed.length,
    'users kept': others.length,
    'answers 410 (commands on an erased user)': ledger.statuses.get(410) ?? 0,
  });
  expect(result.failures).toEqual(NO_FAILURES);

  const like = (marker: string) => `%${marker}%`;
  const writeHits = (marker: string) =>
    oracle.count(
      oracle.writeDb,
      `SELECT (SELECT COUNT(*) FROM events WHERE data LIKE ? OR metadata LIKE ?)
            + (SELECT COUNT(*) FROM outbox WHERE COALESCE(last_error, '') LIKE ?)
            + (SELECT COUNT(*) FROM idempotency_keys WHERE response_body LIKE ?)
            + (SELECT COUNT(*) FROM USER_DATA WHERE NAME LIKE ?)`,
      Array(5).fill(like(marker)),
    );
  const readHits = (marker: string) =>
    oracle.count(
      oracle.readDb,
      `SELECT (SELECT COUNT(*) FROM dead_letters WHERE record_value LIKE ? OR reason LIKE ?)
            + (SELECT COUNT(*) FROM parked_events WHERE envelope LIKE ?)
            + (SELECT COUNT(*) FROM USER_DATA WHERE NAME LIKE ?)`,
      Array(4).fill(like(marker)),
    );
  expect(await writeHits(gone)).toBe(0);
  expect(await readHits(gone)).toBe(0);
  // The kept users keep their names in both USER_DATA tables (and only there).
  const keptRows = await oracle.count(oracle.readDb, 'SELECT COUNT(*) FROM USER_DATA WHERE NAME LIKE ?', [
    like(kept),
  ]);
  expect(keptRows).toBe(others.length);
  expect(await writeHits(kept)).toBe(others.length);
  const erasedRows = await oracle.count(
    oracle.readDb,
    "SELECT COUNT(*) FROM USER_DATA WHERE USER_ID IN (?) AND STATUS = 'erased' AND NAME = ''",
    [doomed],
  );
  expect(erasedRows).toBe(doomed.length);

  // Every stored event is on the topic (an erasure of an erased user is acknowledged but appends nothing).
  const onTopic = await collectEnvelopes([...doomed, ...others], result.eventsStored, { timeoutMs: 60000 });
  const topicText = JSON.stringify(onTopic);
  expect(onTopic.length).toBeGreaterThanOrEqual(result.eventsStored);
  expect(topicText).not.toContain(gone);
  expect(topicText).not.toContain(kept);
  const logs = await logText(CURRENT);
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).not.toContain(gone);
  expect(logs).not.toContain(kept);
});
