/**
 * The real CLI (`npx tsx infra/cli.ts up|down|status`) driving a second, throwaway stack: its own
 * state folder, broker ports 19092/19093, databases and users, all removed afterwards. The main
 * stack (broker on 9092, the shared databases and users) is never touched. The broker jars are
 * shared with the main stack through KAFKA_JARS_DIR, so nothing is downloaded.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
// `paths` here are the main stack's (this process's environment): only its jar folder is used.
import { paths, ROOT } from '../../infra/paths.js';
import { rolePool } from '../support/env.js';
import { throwawayNames, throwawayUsers } from '../support/isolated-databases.js';

const KAFKA_PORT = 19092;
const CONTROLLER_PORT = 19093;
const userHost = process.env.MARIADB_USER_HOST ?? '%';
const names = throwawayNames('lc');

let stateDir = '';

interface CliRun {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/** Runs the CLI as a developer would, with the throwaway stack's environment. */
function cli(...args: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...names,
    CQRS_STATE_DIR: stateDir,
    KAFKA_PORT: String(KAFKA_PORT),
    KAFKA_CONTROLLER_PORT: String(CONTROLLER_PORT),
    KAFKA_JARS_DIR: paths.kafkaLib,
    // Anything that would point the CLI at the main broker, or change the Node flags, goes.
    KAFKA_BROKERS: undefined,
    KAFKA_TOPIC: undefined,
    PROJECTION_CONSUMER_GROUP: undefined,
    MSK_CLUSTER_ARN: undefined,
    CQRS_ENV: undefined,
    NODE_OPTIONS: undefined,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'infra/cli.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err, ms: Date.now() - started }));
  });
}

/** Pids of java processes whose command line mentions `text` (Linux /proc). */
async function javaProcessesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (path.basename(args[0] ?? '') === 'java' && args.some((a) => a.includes(text)))
      pids.push(Number(entry));
  }
  return pids;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const describeOnLinux = process.platform === 'linux' ? describe : describe.skip;

describeOnLinux('local stack CLI lifecycle (second broker on 19092, own state folder)', () => {
  beforeAll(async () => {
    if (!existsSync(paths.kafkaJarsStamp)) {
      throw new Error(`The broker jars are not cached in ${paths.kafkaLib}: run \`npm run infra:up\` first.`);
    }
    for (const port of [KAFKA_PORT, CONTROLLER_PORT]) {
      if (await portOpen(port)) throw new Error(`Port ${port} is busy; the lifecycle test needs it free.`);
    }
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cqrs-lifecycle-'));
  });

  afterAll(async () => {
    if (!stateDir) return;
    await cli('down').catch(() => undefined);
    // A broker this test started but `down` missed would be a bug reported above; do not leave it running.
    for (const pid of await javaProcessesMentioning(stateDir)) process.kill(pid, 'SIGKILL');
    await rm(stateDir, { recursive: true, force: true });
    const admin = rolePool('admin');
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${names.COMMANDS_DB}\``);
      await admin.query(`DROP DATABASE IF EXISTS \`${names.QUERIES_DB}\``);
      for (const user of throwawayUsers(names)) {
        await admin.query('DROP USER IF EXISTS ?@?', [user, userHost]);
      }
    } finally {
      await admin.end();
    }
  });

  test('up is harmless to repeat: the second run exits 0, says the broker is already running, and starts nothing new', async () => {
    // given a fresh state folder
    // when `up` runs twice
    const first = await cli('up');
    const second = await cli('up');

    // then the first starts the broker, the second only finds it
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/Kafka broker up \(pid \d+\) on 127\.0\.0\.1:19092/);
    expect(second).toMatchObject({ code: 0 });
    const pid = Number(/Kafka broker already running \(pid (\d+)\)/.exec(second.out)?.[1]);
    expect(await javaProcessesMentioning(stateDir)).toEqual([pid]);
  });

  test('status reports the broker up on its port with the application topic, MariaDB reachable, and exits 0', async () => {
    // given the stack is up
    expect((await cli('up')).code).toBe(0);

    // when `status` runs
    const human = await cli('status');
    const json = await cli('status', '--json');

    // then both forms say so
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/Kafka broker : up on 127\.0\.0\.1:19092 \(pid \d+\)/);
    expect(human.out).toContain('topic      : user-events (3 partitions)');
    // the outbox, parked and dead-letter figures GET /health and the alarms use
    expect(human.out).toMatch(/Outbox {7}: \d+ events waiting for Kafka/);
    expect(human.out).toMatch(/Read model {3}: \d+ events parked.*, \d+ dead letters/);
    expect(JSON.parse(json.out)).toMatchObject({
      outbox: { pending: expect.any(Number), oldestAgeMs: expect.any(Number) },
      readModel: { parked: { count: expect.any(Number) }, deadLetters: { count: expect.any(Number) } },
      broker: {
        running: true,
        address: '127.0.0.1:19092',
        topics: [{ topic: 'user-events', partitions: 3 }],
      },
      mariadb: { reachable: true },
      databases: [
        { name: names.COMMANDS_DB, migrationLevel: expect.any(Number) },
        { name: names.QUERIES_DB, migrationLevel: expect.any(Number) },
      ],
    });
  });

  test('down stops our broker: no java process mentions the state folder afterwards, and status then exits non-zero', async () => {
    // given the stack is up
    expect((await cli('up')).code).toBe(0);
    expect(await javaProcessesMentioning(stateDir)).toHaveLength(1);

    // when `down` runs
    const down = await cli('down');

    // then the broker is gone and status says so with a failing exit code
    expect(down.code).toBe(0);
    expect(down.out).toContain('Kafka broker stopped');
    expect(await javaProcessesMentioning(stateDir)).toEqual([]);
    expect(await portOpen(KAFKA_PORT)).toBe(false);
    const status = await cli('status');
    expect(status.code).not.toBe(0);
    expect(status.out).toContain('Kafka broker : down (127.0.0.1:19092)');
  });

  test('up fails fast, naming the port, when the broker port is held by something that is not our broker', async () => {
    // given our broker is down and a plain TCP server holds its port
    await cli('down');
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(KAFKA_PORT, '127.0.0.1', resolve));
    try {
      // when `up` runs
      const up = await cli('up');

      // then it stops at once with a message that says which port and what to do, and starts no broker
      expect(up.code).toBe(1);
      expect(up.err).toContain(
        `Port ${KAFKA_PORT} is already in use by a process that is not this project's broker.`,
      );
      expect(up.err).toContain('KAFKA_PORT');
      expect(up.ms).toBeLessThan(15000);
      expect(await javaProcessesMentioning(stateDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('a corrupt broker state folder (data present, meta.properties missing) is recreated with a message, and the broker starts', async () => {
    // given our broker is down and its data folder lost meta.properties
    await cli('down');
    const data = path.join(stateDir, 'kafka', 'data');
    await mkdir(data, { recursive: true });
    await rm(path.join(data, 'meta.properties'), { force: true });
    await writeFile(path.join(data, 'leftover.log'), 'half-written state\n');

    // when `up` runs
    const up = await cli('up');

    // then it says it recreates the folder, formats it afresh and the broker serves again
    expect(up.code).toBe(0);
    expect(up.out).toContain(`The broker state folder ${data} is incomplete or corrupt`);
    expect(up.out).toContain('recreating it');
    expect(up.out).toMatch(/Kafka broker up \(pid \d+\)/);
    expect(await readFile(path.join(data, 'meta.properties'), 'utf8')).toMatch(/^cluster\.id=\S+/m);
    expect(existsSync(path.join(data, 'leftover.log'))).toBe(false);
    expect((await cli('status')).code).toBe(0);
  });
});
