/**
 * The fault-injection suite's own stack, which it may break at will: a Kafka broker, a private
 * MariaDB server for the write side and another for the read side, all on ports of their own,
 * with state under .local/faults/current. The shared broker and database are never touched.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { paths, ROOT } from '../../../infra/paths.js';
import { sleep } from '../../../infra/processes.js';

export const PORTS = {
  kafka: 29192,
  kafkaController: 29193,
  writeDb: 29306,
  readDb: 29307,
  http: 29300,
  lambda: 29302,
};

export const FAULTS_DIR = path.join(ROOT, '.local', 'faults');
export const CURRENT = path.join(FAULTS_DIR, 'current');
export const LOGS = path.join(CURRENT, 'logs');
export const RESULTS = path.join(FAULTS_DIR, 'results.jsonl');
export const ENV_FILE = path.join(CURRENT, 'env.json');
export const MASTER_KEY_FILE = path.join(CURRENT, 'personal-data', 'master.key');

const STATE = { write: path.join(CURRENT, 'write'), read: path.join(CURRENT, 'read') };

/** What the functions, the CLI and the tests of the suite run with. */
export function suiteEnv(passwords: Record<string, string>): Record<string, string> {
  return {
    CQRS_ENV: 'local',
    KAFKA_BROKERS: `127.0.0.1:${PORTS.kafka}`,
    KAFKA_PORT: String(PORTS.kafka),
    KAFKA_CONTROLLER_PORT: String(PORTS.kafkaController),
    KAFKA_JARS_DIR: paths.kafkaLib,
    KAFKA_TOPIC: 'user-events',
    KAFKA_PUBLISH_TIMEOUT_MS: '250',
    MARIADB_HOST: '127.0.0.1',
    MARIADB_PORT: String(PORTS.writeDb),
    PROJECTION_DB_PORT: String(PORTS.readDb),
    QUERY_DB_PORT: String(PORTS.readDb),
    OPERATOR_DB_PORT: String(PORTS.readDb),
    COMMANDS_DB: 'fault_commands',
    QUERIES_DB: 'fault_queries',
    COMMAND_DB_USER: 'fault_command',
    RELAY_DB_USER: 'fault_relay',
    PROJECTION_DB_USER: 'fault_projection',
    QUERY_DB_USER: 'fault_query',
    OPERATOR_DB_USER: 'fault_operator',
    COMMAND_DB_PASSWORD: passwords.command!,
    RELAY_DB_PASSWORD: passwords.relay!,
    PROJECTION_DB_PASSWORD: passwords.projection!,
    QUERY_DB_PASSWORD: passwords.query!,
    OPERATOR_DB_PASSWORD: passwords.operator!,
    // One request per Lambda container: a small pool each, as deployed.
    COMMAND_DB_CONNECTIONS: '2',
    QUERY_DB_CONNECTIONS: '2',
    PROJECTION_DB_CONNECTIONS: '2',
    PROJECTION_AUDIT: 'applied',
    // Off unless a scenario turns it on (COMMAND_AUTH=token); the log scan looks for it too.
    COMMAND_AUTH_TOKEN: passwords.authToken!,
    PROJECTION_CONSUMER_GROUP: 'fault-projection',
    HTTP_PORT: String(PORTS.http),
    LAMBDA_PORT: String(PORTS.lambda),
    LOG_LEVEL: 'info',
    // One master key for every process of the suite (the log scan looks for it too).
    PERSONAL_DATA_KEYS: 'local',
    PERSONAL_DATA_MASTER_KEY_FILE: MASTER_KEY_FILE,
  };
}

/** The suite's environment, written by the global set-up. */
export function loadSuiteEnv(): Record<string, string> {
  return JSON.parse(readFileSync(ENV_FILE, 'utf8')) as Record<string, string>;
}

export type Part = 'broker' | 'writeDb' | 'readDb';

/**
 * True while a process runs. A zombie (exited, not yet reaped by a parent that is busy) counts as
 * gone, or waiting for it to end would never end.
 */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function childEnv(part: Part, env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    NODE_OPTIONS: undefined,
    MSK_CLUSTER_ARN: undefined,
  };
  if (part === 'readDb') return { ...base, CQRS_STATE_DIR: STATE.read, MARIADB_PORT: String(PORTS.readDb) };
  return { ...base, CQRS_STATE_DIR: STATE.write };
}

/** Runs a tsx script of the repository and resolves with its output; rejects on a non-zero exit. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/**
 * Starts a part that is down (and checks one that is up): the broker and the write database
 * through the project's own `infra/cli.ts up`, the read database through db-up.ts.
 */
export async function start(part: Part, env: Record<string, string>): Promise<void> {
  if (part === 'readDb') await runScript('test/faults/support/db-up.ts', [], childEnv(part, env));
  else await runScript('infra/cli.ts', ['up'], childEnv(part, env));
}

function pidFile(part: Part): string {
  if (part === 'broker') return path.join(STATE.write, 'kafka', 'broker.pid');
  return path.join(part === 'writeDb' ? STATE.write : STATE.read, 'mariadb', 'mariadbd.pid');
}

/** The pid of a running part, from the pid file infra wrote. */
export function pidOf(part: Part): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(part), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && running(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a signal to a part (SIGSTOP/SIGCONT freeze and thaw it). */
export function signal(part: Part, name: NodeJS.Signals): void {
  const pid = pidOf(part);
  if (pid === undefined) throw new Error(`${part} is not running`);
  process.kill(pid, name);
}

/**
 * Freezes a part (SIGSTOP) and waits until the kernel shows it stopped, so a request sent next
 * cannot be answered by a process that had not stopped yet.
 */
export async function freeze(part: Part): Promise<void> {
  const pid = pidOf(part);
  if (pid === undefined) throw new Error(`${part} is not running`);
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + 5000;
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The state is the field after the parenthesised command name.
    if (/^[tT]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '')) return;
    if (Date.now() > deadline) throw new Error(`${part} (pid ${pid}) did not stop within 5 s of SIGSTOP`);
    await sleep(10);
  }
}

/** Stops a part: SIGTERM lets it shut down cleanly, SIGKILL crashes it. Waits until it is gone. */
export async function stop(part: Part, how: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const pid = pidOf(part);
  if (pid === undefined) return;
  process.kill(pid, 'SIGCONT');
  process.kill(pid, how);
  const deadline = Date.now() + 60000;
  while (running(pid)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
}

/**
 * Processes whose command line names the suite's state folder (a broker or database server left
 * by an interrupted run whose pid file is gone), so they can be stopped before the folder is reused.
 */
export async function leftoverProcesses(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((a) => a.includes(CURRENT)) && /mariadbd|java/.test(path.basename(args[0] ?? ''))) {
      pids.push(Number(entry));
    }
  }
  return pids;
}
