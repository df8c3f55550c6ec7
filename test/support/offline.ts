/** Runs `sls offline` for end-to-end tests, on its own ports and consumer group. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LIFELINE_ENV, lifelineOfThisProcess } from '../../infra/lifeline.js';
import { ROOT } from '../../infra/paths.js';
import { stopProcessGroup } from '../../infra/processes.js';

export interface OfflineServer {
  url: string;
  /** The process group leader (`sls`), for tests that kill it on purpose. */
  pid: number | undefined;
  consumerGroup: string;
  output: () => string;
  stop: () => Promise<void>;
}

export interface OfflineOptions {
  httpPort: number;
  lambdaPort: number;
  consumerGroup: string;
  env?: Record<string, string>;
  /** Wait until the Kafka event source says it is consuming. */
  waitForConsumer?: boolean;
  /** More `sls offline` arguments, e.g. `--param=kafkaTopic=<topic>`. */
  args?: string[];
}

function waitFor(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(
        new Error(`sls offline did not print ${pattern} within ${timeoutMs} ms:\n${output().slice(-3000)}`),
      );
    }, timeoutMs);
    const poll = setInterval(() => {
      if (pattern.test(output())) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`sls offline exited with ${child.exitCode}:\n${output().slice(-3000)}`));
      }
    }, 100);
  });
}

export async function startOffline(options: OfflineOptions): Promise<OfflineServer> {
  let log = '';
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'sls'),
    ['offline', 'start', '--stage', 'local', ...(options.args ?? [])],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HTTP_PORT: String(options.httpPort),
        LAMBDA_PORT: String(options.lambdaPort),
        PROJECTION_CONSUMER_GROUP: options.consumerGroup,
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
        // sls offline stops when the test process is gone, even after a kill -9.
        [LIFELINE_ENV]: lifelineOfThisProcess(),
        ...options.env,
      },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => log;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    await stopProcessGroup(child.pid, exited);
  };
  try {
    await waitFor(child, output, /Server ready/, 90000);
    if (options.waitForConsumer ?? true) await waitFor(child, output, /offline-kafka: .*: consuming/, 60000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://localhost:${options.httpPort}`,
    pid: child.pid,
    consumerGroup: options.consumerGroup,
    output,
    stop,
  };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A JSON request to a running server: status, headers and the parsed body (undefined when empty). */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
