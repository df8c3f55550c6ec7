/**
 * `tsx test/faults/support/suite-cli.ts up|down`: the fault suite's global set-up and teardown
 * (jest's global hooks cannot load the project's TypeScript modules, so they run this).
 *
 * up: brings up the suite's own stack (see stack.ts) with fresh state and random database
 * passwords, and writes the environment every test file loads.
 * down: stops it, prints the table of every scenario's counts, removes the state unless FAULTS_KEEP=1.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../../../infra/paths.js';
import { portOpen, sleep } from '../../../infra/processes.js';
import { stopOffline } from './processes.js';
import { table, type ScenarioCounts } from './report.js';
import {
  CURRENT,
  ENV_FILE,
  FAULTS_DIR,
  leftoverProcesses,
  LOGS,
  PORTS,
  RESULTS,
  start,
  stop,
  suiteEnv,
} from './stack.js';

/** Stops every part, including servers of an interrupted run that left no pid file. */
async function stopAll(): Promise<void> {
  await stopOffline('SIGKILL');
  await stop('broker');
  await Promise.all([stop('writeDb'), stop('readDb')]);
  for (const pid of await leftoverProcesses()) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && (await leftoverProcesses()).length; i++) await sleep(100);
}

async function up(): Promise<void> {
  if (!existsSync(paths.kafkaJarsStamp)) {
    throw new Error(`The broker jars are not cached in ${paths.kafkaLib}: run \`npm run infra:up\` first.`);
  }
  await stopAll();
  for (const [name, port] of Object.entries(PORTS)) {
    if (await portOpen(port)) throw new Error(`Port ${port} (${name}) is busy; the fault suite needs it.`);
  }
  await rm(CURRENT, { recursive: true, force: true });
  await mkdir(LOGS, { recursive: true });
  await rm(RESULTS, { force: true });
  const password = () => `fault-${randomBytes(12).toString('hex')}`;
  const env = suiteEnv({
    command: password(),
    relay: password(),
    projection: password(),
    query: password(),
    operator: password(),
    authToken: password(),
  });
  await writeFile(ENV_FILE, JSON.stringify(env, null, 2));
  console.log(`Fault stack: broker :${PORTS.kafka}, write DB :${PORTS.writeDb}, read DB :${PORTS.readDb}`);
  // One at a time: concurrent mariadb-install-db runs have been seen to trip over each other's temporary tables.
  for (let attempt = 1; ; attempt++) {
    try {
      await start('writeDb', env);
      await start('readDb', env);
      return;
    } catch (error) {
      if (attempt === 2) throw error;
      console.log(`The fault stack did not come up (${(error as Error).message.split('\n')[0]}); once more.`);
      await stopAll();
      await rm(path.join(CURRENT, 'write'), { recursive: true, force: true });
      await rm(path.join(CURRENT, 'read'), { recursive: true, force: true });
    }
  }
}

async function down(): Promise<void> {
  await stopAll();
  const lines = (await readFile(RESULTS, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  if (lines.length) {
    const text = table(lines.map((l) => JSON.parse(l) as ScenarioCounts));
    await writeFile(path.join(FAULTS_DIR, 'results.md'), `${text}\n`);
    console.log(`\n${text}\n(also in ${path.join(FAULTS_DIR, 'results.md')})`);
  }
  if (process.env.FAULTS_KEEP !== '1') await rm(CURRENT, { recursive: true, force: true });
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else throw new Error('Usage: tsx test/faults/support/suite-cli.ts up|down');
