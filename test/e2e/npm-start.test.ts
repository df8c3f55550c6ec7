/**
 * `npm start` as a developer runs it, on ports of its own and this file's throwaway databases and
 * topic: it serves the API, and however it ends (the terminal closes, `npm` itself is killed) it
 * leaves nothing behind; a busy port is refused with a message naming who holds it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { ROOT } from '../../infra/paths.js';
import { portOpen, sleep } from '../../infra/processes.js';

const HTTP_PORT = 3200;
const LAMBDA_PORT = 3202;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(): Started {
  let out = '';
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    // A group of its own, as a terminal's job is: SIGHUP goes to all of it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HTTP_PORT: String(HTTP_PORT),
      LAMBDA_PORT: String(LAMBDA_PORT),
      LOG_LEVEL: 'warn',
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function serving(started: Started, timeoutMs = 90000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited:\n${started.output()}`);
    const status = await fetch(`http://localhost:${HTTP_PORT}/users?limit=1`)
      .then((res) => res.status)
      .catch(() => 0);
    if (status === 200) return;
    await sleep(250);
  }
  throw new Error(
    `npm start did not serve GET /users within ${timeoutMs} ms:\n${started.output().slice(-3000)}`,
  );
}

/** How long until neither port has a listener (or undefined if they still do after `limitMs`). */
async function portsFreeWithin(limitMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (!(await portOpen(HTTP_PORT)) && !(await portOpen(LAMBDA_PORT))) return Date.now() - started;
    await sleep(100);
  }
  return undefined;
}

/** True once no process of the group is left (npm, its shell, the start script and its relay loop). */
async function groupGoneWithin(pgid: number, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  return false;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

describe('npm start leaves nothing behind', () => {
  let current: Started | undefined;
  afterEach(() => killGroup(current?.child.pid));

  it('serves GET /users and the console at /console, and closing its terminal (SIGHUP to the group) frees both ports within 10 s', async () => {
    current = npmStart();
    await serving(current);
    const page = await fetch(`http://localhost:${HTTP_PORT}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>cqrs-es console</title>');
    const pipeline = await fetch(`http://localhost:${HTTP_PORT}/console/api/pipeline`);
    expect(pipeline.status).toBe(200);
    expect(current.output()).toMatch(/Console (up to date|built in)/);
    process.kill(-current.child.pid!, 'SIGHUP');
    expect(await portsFreeWithin(10000)).toBeDefined();
    expect(await groupGoneWithin(current.child.pid!, 10000)).toBe(true);
  }, 150000);

  it('kill -9 of npm itself ends sls offline and the relay within 10 s, and the next npm start comes up', async () => {
    current = npmStart();
    await serving(current);
    process.kill(current.child.pid!, 'SIGKILL');
    expect(await portsFreeWithin(10000)).toBeDefined();
    expect(await groupGoneWithin(current.child.pid!, 10000)).toBe(true);
    current = npmStart();
    await serving(current);
    process.kill(-current.child.pid!, 'SIGINT');
    expect(await portsFreeWithin(10000)).toBeDefined();
  }, 240000);

  it('a busy port is refused with the pid and command line that hold it and what to do', async () => {
    const blocker = net.createServer().listen(LAMBDA_PORT, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      current = npmStart();
      expect(await current.exited).toBe(1);
      const out = current.output();
      expect(out).toContain(`Port ${LAMBDA_PORT} is in use by pid ${process.pid}`);
      expect(out).toContain('LAMBDA_PORT');
      expect(await portOpen(HTTP_PORT)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120000);
});
