/**
 * `npm start`: the whole pipeline on this machine. Brings the stack up, serves the functions with
 * `sls offline` (HTTP on :3000, the projection fed from Kafka by plugins/serverless-offline-kafka),
 * and runs the outbox relay in a loop. Ctrl-C stops everything it started.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { config } from '../lib/config.js';
import { closePools } from '../lib/db/pool.js';
import { log } from '../lib/log.js';
import { drainOutbox } from '../lib/outbox/relay-runner.js';
import { brokerPid, stopBroker } from '../infra/kafka/broker.js';
import { ROOT } from '../infra/paths.js';
import { InfraError, progress } from '../infra/progress.js';
import { up } from '../infra/stack.js';

const httpPort = process.env.HTTP_PORT ?? '3000';

async function relayLoop(signal: AbortSignal): Promise<void> {
  const { intervalMs, budgetMs } = config.relay();
  while (!signal.aborted) {
    try {
      await drainOutbox(budgetMs);
    } catch (error) {
      log.warn('relay-pass-failed', { reason: (error as Error).message });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** SIGINT to the whole group (sls and its worker threads), SIGKILL if it has not exited in 10 s. */
async function stopProcessGroup(pid: number | undefined, exited: Promise<unknown>): Promise<void> {
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      /* already gone */
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const brokerWasRunning = (await brokerPid()) !== undefined;
  await up();

  progress.step(`Starting sls offline on http://localhost:${httpPort}…`);
  const offline = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'sls'),
    ['offline', 'start', '--stage', 'local'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, HTTP_PORT: httpPort },
    },
  );
  const exited = new Promise((resolve) => offline.once('exit', resolve));
  const relayStop = new AbortController();
  const relay = relayLoop(relayStop.signal);

  console.log(`
  Commands  POST   http://localhost:${httpPort}/users                {"name": "..."}
            PUT    http://localhost:${httpPort}/users/{id}/name      {"name": "..."}
            DELETE http://localhost:${httpPort}/users/{id}
  Queries   GET    http://localhost:${httpPort}/users/{id}
            GET    http://localhost:${httpPort}/users?limit=&cursor=&name=
  Kafka     ${config.kafka().brokers.join(',')}  topic ${config.kafka().topic}
  MariaDB   ${config.db('admin').host}:${config.db('admin').port}  databases ${Object.values(config.databases()).join(', ')}
  Ctrl-C stops everything.
`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    progress.step('Stopping…');
    relayStop.abort();
    await stopProcessGroup(offline.pid, exited);
    await Promise.race([relay, new Promise((r) => setTimeout(r, 5000))]);
    await closePools();
    if (!brokerWasRunning) await stopBroker();
    progress.ok('Stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  offline.on('exit', (code) => {
    if (!stopping) {
      console.error(`sls offline exited (code ${code}).`);
      void stop(code ?? 1);
    }
  });
}

main().catch((error: unknown) => {
  if (error instanceof InfraError) console.error(`\n✖ ${error.message}\n  → ${error.hint}`);
  else console.error('\n✖', error);
  process.exit(1);
});
