/**
 * Scenario 2. The write database fails under a stream of commands: first its connections are
 * killed again and again mid-command, then the server itself is killed and restarted. Each answer
 * is a 2xx or a 5xx; a 5xx is retried with the same Idempotency-Key. Nothing is half-written (the
 * write side's USER_DATA equals the fold of its events), no key leaves two events, and every
 * acknowledged command reaches the read model once.
 */
import { CommandClient, httpTransport, runConcurrently, RenameTargets } from './support/client.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';
import { start, stop } from './support/stack.js';

const env = process.env as Record<string, string>;
const scenario = useScenario({ relay: 'write-db-failure' });
const { oracle } = scenario;

const retry = { retries: 60, retryDelayMs: 150 };

/** Registers and renames users; every answer must be a 2xx after retries, never a 4xx. */
async function commandStream(client: CommandClient, count: number, onProgress: (i: number) => void) {
  const users = new RenameTargets();
  await runConcurrently(count, 8, async (i) => {
    onProgress(i);
    if (users.size < 20 || i % 3 === 0) {
      const res = await client.register(client.uniqueName('Writer'), retry);
      if (res.status === 201) users.add(res.body.id);
    } else {
      await users.rename((id) => client.rename(id, client.uniqueName('Writer'), retry));
    }
  });
}

it('2a. the command connections are killed mid-command, over and over: 2xx or 5xx, never a partial write, one event per key', async () => {
  const client = new CommandClient(httpTransport(scenario.offline.url));
  let killed = 0;
  let running = true;
  const killer = (async () => {
    while (running) {
      const ids = (await oracle.writeDb.query(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND <> 'Sleep'",
        [env.COMMAND_DB_USER],
      )) as Array<{ ID: number }>;
      for (const { ID } of ids) {
        await oracle.writeDb.query(`KILL CONNECTION ${Number(ID)}`).then(
          () => killed++,
          () => undefined,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
    }
  })();
  await commandStream(client, 600, () => undefined);
  running = false;
  await killer;

  const result = await oracle.check('2a. write-DB connections killed mid-command', client, {
    'connections killed': killed,
    'attempts answered 5xx': [...client.attempts].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0),
    'retries answered from the committed write': client.replayedAfterFailure,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(killed).toBeGreaterThan(0);
  expect([...client.attempts.keys()].every((s) => (s >= 200 && s < 300) || s >= 500)).toBe(true);
  expect(client.acknowledged).toBe(600);
});

it('2b. the write database server is killed (SIGKILL) mid-stream, stays down past the pool timeout, and restarts: the same guarantees hold', async () => {
  const client = new CommandClient(httpTransport(scenario.offline.url));
  let crash: Promise<void> | undefined;
  let downMs = 0;
  await commandStream(client, 400, (i) => {
    if (i === 150) {
      crash = (async () => {
        const started = Date.now();
        await stop('writeDb', 'SIGKILL');
        // Longer than the pools' 10 s acquire timeout, so waiting requests give up with a 503.
        await new Promise((resolve) => setTimeout(resolve, 12000));
        await start('writeDb', env);
        downMs = Date.now() - started;
      })();
    }
  });
  await crash;

  const result = await oracle.check('2b. write-DB server killed and restarted', client, {
    'server down ms': downMs,
    'attempts answered 5xx or refused': [...client.attempts]
      .filter(([s]) => s === 0 || s >= 500)
      .reduce((n, [, c]) => n + c, 0),
    'retries answered from the committed write': client.replayedAfterFailure,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect([...client.attempts.keys()].every((s) => (s >= 200 && s < 300) || s >= 500)).toBe(true);
  expect(client.acknowledged).toBe(400);
});
