import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';

/** True while a process with this pid exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process, or undefined (Linux /proc). */
export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** The pid in a pid file if that process is still alive and its command line contains `marker`. */
export async function livePid(pidFile: string, marker: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmd = await commandLine(pid);
  return cmd?.includes(marker) ? pid : undefined;
}

export async function writePidFile(pidFile: string, pid: number): Promise<void> {
  await writeFile(pidFile, `${pid}\n`);
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; removes the pid file. */
export async function stopProcess(pid: number, pidFile: string, graceMs = 30000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  await rm(pidFile, { force: true });
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops a process group (a child spawned with `detached: true` and whatever it started): SIGINT
 * first, as Ctrl-C would, then SIGKILL if `exited` has not resolved within `graceMs`.
 */
export async function stopProcessGroup(
  pid: number | undefined,
  exited: Promise<unknown>,
  graceMs = 10000,
): Promise<void> {
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      /* already gone */
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
