/**
 * `npm start`: the whole pipeline on this machine. Brings the stack up, serves the functions with
 * `sls offline` (HTTP on :3000, the projection fed from Kafka by plugins/serverless-offline-kafka),
 * and runs the outbox relay and the janitor in loops, as their schedules run them deployed.
 * Ctrl-C, SIGTERM, closing the terminal (SIGHUP) and the death of `npm start` itself (`kill -9`)
 * all stop everything it started: `sls offline` watches this process (plugins/lifeline.js) and
 * this process watches the ones that launched it.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { config } from '../lib/config.js';
import { closePools } from '../lib/db/pool.js';
import { log } from '../lib/log.js';
import { drainOutbox } from '../lib/outbox/relay-runner.js';
import { handler as janitor } from '../functions/janitor/handler.js';
import { launchers, LIFELINE_ENV, lifelineOfThisProcess, whenAnyExits } from '../infra/lifeline.js';
import { ROOT } from '../infra/paths.js';
import { requireFreePorts } from '../infra/ports.js';
import { stopProcessGroup } from '../infra/processes.js';
import { InfraError, progress } from '../infra/progress.js';
import { acquireStack, setUpData } from '../infra/stack.js';
import { ensureConsoleBuilt } from '../console/build.js';

const httpPort = process.env.HTTP_PORT ?? '3000';
const lambdaPort = process.env.LAMBDA_PORT ?? '3002';

// After SIGHUP the terminal is gone: writing to it must not crash the shutdown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

/** Runs `work`, then again `intervalMs` after each run ends, until `signal`: what a schedule does deployed. */
async function everyInterval(
  name: string,
  work: () => Promise<unknown>,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await work();
    } catch (error) {
      log.warn(`${name}-pass-failed`, { reason: (error as Error).message });
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const parents = launchers();
  const stack = await acquireStack('npm start');
  try {
    await setUpData();
    await ensureConsoleBuilt((line) => progress.step(line));
    await requireFreePorts([
      { port: Number(httpPort), what: 'HTTP (HTTP_PORT)' },
      { port: Number(lambdaPort), what: "serverless-offline's Lambda endpoint (LAMBDA_PORT)" },
    ]);
  } catch (error) {
    await stack.release();
    throw error;
  }

  progress.step(`Starting sls offline on http://localhost:${httpPort}…`);
  const offline = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'sls'),
    ['offline', 'start', '--stage', 'local'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      detached: true,
      env: {
        ...process.env,
        HTTP_PORT: httpPort,
        LAMBDA_PORT: lambdaPort,
        [LIFELINE_ENV]: lifelineOfThisProcess(),
      },
    },
  );
  const exited = new Promise((resolve) => offline.once('exit', resolve));
  const loopsStop = new AbortController();
  const loops = Promise.all([
    everyInterval(
      'relay',
      () => drainOutbox(config.relay().budgetMs),
      config.relay().intervalMs,
      loopsStop.signal,
    ),
    everyInterval('janitor', janitor, config.janitor().intervalMs, loopsStop.signal),
  ]);

  console.log(`
  Commands  POST   http://localhost:${httpPort}/users                {"name": "..."}
            PUT    http://localhost:${httpPort}/users/{id}/name      {"name": "..."}
            DELETE http://localhost:${httpPort}/users/{id}
  Queries   GET    http://localhost:${httpPort}/users/{id}
            GET    http://localhost:${httpPort}/users?limit=&cursor=&name=
  Console          http://localhost:${httpPort}/console
  Kafka     ${config.kafka().brokers.join(',')}  topic ${config.kafka().topic}
  MariaDB   ${config.db('admin').host}:${config.db('admin').port}  databases ${Object.values(config.databases()).join(', ')}
  Ctrl-C stops everything.
`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    progress.step('Stopping…');
    loopsStop.abort();
    await stopProcessGroup(offline.pid, exited, 6000);
    await Promise.race([loops, new Promise((r) => setTimeout(r, 5000))]);
    await closePools();
    await stack.release();
    progress.ok('Stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  whenAnyExits(parents, (gone) => {
    progress.warn(`The process that started npm start (pid ${gone.pid}) is gone: stopping.`);
    void stop(1);
  });
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
