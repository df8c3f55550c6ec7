/**
 * The processes the fault suite runs on its stack: one `sls offline` (HTTP + the projection fed
 * by the Kafka event source), kept running from scenario to scenario and stopped or killed on
 * purpose by some, and the outbox relay as its own process.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../../../infra/paths.js';
import { commandLine, sleep } from '../../../infra/processes.js';
import { createAdmin } from '../../../lib/kafka/client.js';
import { readKafkaConfig } from '../../../lib/config.js';
import { CURRENT, LOGS, PORTS, running } from './stack.js';

const OFFLINE_PID = path.join(CURRENT, 'offline.pid');
const OFFLINE_LOG = path.join(CURRENT, 'offline.log');
/** The variables the running `sls offline` was started with beyond the suite's own. */
const OFFLINE_ENV = path.join(CURRENT, 'offline.env.json');

export type Outcome = 'applied' | 'skipped-duplicate' | 'parked' | 'dead-lettered';

export interface Offline {
  url: string;
  /** Everything the current `sls offline` printed (its handlers' logs included). */
  output(): string;
  /** The sum of one outcome over every projection batch the current `sls offline` logged. */
  outcomes(outcome: Outcome): number;
  /** Projection batches that failed and were retried by the event source. */
  failedBatches(): number;
}

function handle(): Offline {
  const output = () => {
    try {
      return readFileSync(OFFLINE_LOG, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    url: `http://localhost:${PORTS.http}`,
    output,
    outcomes: (outcome) => {
      let total = 0;
      const pattern = new RegExp(`"message":"projection-batch".*?"${outcome}":(\\d+)`, 'g');
      for (const match of output().matchAll(pattern)) total += Number(match[1]);
      return total;
    },
    failedBatches: () => (output().match(/offline-kafka: .* failed \(/g) ?? []).length,
  };
}

async function offlinePid(): Promise<number | undefined> {
  const pid = Number((await readFile(OFFLINE_PID, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !running(pid)) return undefined;
  return (await commandLine(pid))?.includes('offline') ? pid : undefined;
}

/** How a started `sls offline` ended, once it has. */
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class OfflineDidNotStart extends Error {
  constructor(
    pattern: RegExp,
    readonly exit: Exit | undefined,
    readonly printed: string,
  ) {
    const how = exit ? `; it exited (code ${exit.code}, signal ${exit.signal})` : '';
    super(`sls offline did not print ${pattern}${how}:\n${printed.slice(-3000)}`);
  }
}

async function waitForLog(pattern: RegExp, timeoutMs: number, exit: () => Exit | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(handle().output())) {
    if (Date.now() > deadline || exit() || !(await offlinePid())) {
      throw new OfflineDidNotStart(pattern, exit(), handle().output());
    }
    await sleep(100);
  }
}

async function startOffline(env?: Record<string, string>): Promise<void> {
  await rm(OFFLINE_LOG, { force: true });
  const out = openSync(OFFLINE_LOG, 'a');
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'sls'),
    ['offline', 'start', '--stage', 'local'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...env },
    },
  );
  let exit: Exit | undefined;
  child.on('exit', (code, signal) => (exit = { code, signal }));
  child.unref();
  await writeFile(OFFLINE_PID, String(child.pid));
  await writeFile(OFFLINE_ENV, JSON.stringify(env ?? {}));
  await waitForLog(/Server ready/, 90000, () => exit);
  await waitForLog(/offline-kafka: .*: consuming/, 60000, () => exit);
}

/**
 * The running `sls offline`, started (on the suite's ports and consumer group) if it is not
 * running; `env` adds variables to it. One started with other variables (a scenario's, such as
 * 11's token authentication) is restarted, so a scenario never inherits another's settings. A
 * start whose process ends before printing a line is tried once more, with the first attempt's
 * exit in the suite's log: it never reached the code under test, so it says nothing about a
 * scenario.
 */
export async function ensureOffline(env: Record<string, string> = {}): Promise<Offline> {
  if (await offlinePid()) {
    const startedWith = await readFile(OFFLINE_ENV, 'utf8').catch(() => '{}');
    if (startedWith === JSON.stringify(env)) return handle();
    await stopOffline();
  }
  try {
    await startOffline(env);
  } catch (error) {
    if (!(error instanceof OfflineDidNotStart && error.exit && error.printed === '')) throw error;
    appendFileSync(path.join(LOGS, 'offline.log'), `${error.message}\n(starting it again)\n`);
    await startOffline(env);
  }
  return handle();
}

/** Waits until the projection's consumer group has no members (a killed one lingers until its session expires). */
export async function groupEmpty(timeoutMs = 90000): Promise<void> {
  const admin = await createAdmin(readKafkaConfig(process.env), { quiet: true });
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const groups = await admin.describeGroups([process.env.PROJECTION_CONSUMER_GROUP!]);
      if (['Empty', 'Dead'].includes(groups[0]?.state ?? 'Dead')) return;
      if (Date.now() > deadline) throw new Error(`the consumer group is still ${groups[0]?.state}`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Stops `sls offline`: SIGINT lets it leave the consumer group; SIGKILL kills the whole process
 * group at once (sls, its workers, the consumer), as a crash would. Its output is kept in the logs.
 */
export async function stopOffline(how: 'SIGINT' | 'SIGKILL' = 'SIGINT'): Promise<void> {
  const pid = await offlinePid();
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      /* gone */
    }
  };
  signal(how);
  const deadline = Date.now() + 15000;
  while (running(pid)) {
    if (Date.now() > deadline) signal('SIGKILL');
    await sleep(100);
  }
  appendFileSync(path.join(LOGS, 'offline.log'), handle().output());
  await rm(OFFLINE_PID, { force: true });
}

export interface RelayProcess {
  /** Positions of each batch it published, in order. */
  batches: number[][];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

let relays = 0;

/** The relay as its own process (relay-process.ts), with extra environment such as RELAY_MIN_AGE_MS. */
export function startRelay(
  name: string,
  options: { crashAfterPublish?: boolean; env?: Record<string, string> } = {},
): RelayProcess {
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['test/faults/support/relay-process.ts', ...(options.crashAfterPublish ? ['--crash-after-publish'] : [])],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const file = path.join(LOGS, `relay-${name}-${++relays}-${process.pid}.log`);
  const batches: number[][] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    appendFileSync(file, chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{"published"'))
        batches.push((JSON.parse(line) as { published: number[] }).published);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => appendFileSync(file, chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    batches,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
