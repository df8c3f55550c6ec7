/**
 * Who holds a TCP port: the listening socket's inode from /proc/net/tcp{,6}, then the process
 * whose file descriptors include that socket (Linux; elsewhere, or without permission to read
 * other processes' descriptors, only "in use" is known).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { commandLine, portOpen } from './processes.js';
import { InfraError } from './progress.js';

export interface PortHolder {
  pid: number;
  command: string | undefined;
}

const LISTEN = '0A';

async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== LISTEN) continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The process listening on `port`, when it can be found. */
async function portHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = await listeningInodes(port);
  if (!inodes.size) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return { pid: Number(pid), command: await commandLine(Number(pid)) };
    }
  }
  return undefined;
}

/** One line naming the holder of a port, or saying it could not be found. */
async function describeHolder(port: number): Promise<string> {
  const holder = await portHolder(port);
  if (!holder) return `Port ${port} is in use (the process holding it could not be found).`;
  const command = holder.command ? holder.command.slice(0, 200) : 'command line unknown';
  return `Port ${port} is in use by pid ${holder.pid}: ${command}`;
}

/**
 * Fails with a message naming the holder of each busy port and what to do about it.
 * `what` names each port's use and the variable that moves it ("HTTP (HTTP_PORT)").
 */
export async function requireFreePorts(ports: Array<{ port: number; what: string }>): Promise<void> {
  const busy: string[] = [];
  for (const { port, what } of ports) {
    if (await portOpen(port)) busy.push(`${await describeHolder(port)} (wanted for ${what})`);
  }
  if (!busy.length) return;
  const stale = busy.some((line) => /sls offline|serverless/.test(line));
  throw new InfraError(
    busy.join('\n  '),
    stale
      ? 'That looks like an earlier `npm start` that was not stopped: end it (`kill <pid>`), or choose other ports with HTTP_PORT / LAMBDA_PORT.'
      : 'Stop that process, or choose other ports with HTTP_PORT / LAMBDA_PORT.',
  );
}
