import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import mariadb from 'mariadb';
import type { DbConfig } from '../../lib/config.js';
import { paths } from '../paths.js';
import { livePid, portOpen, sleep, stopProcess, writePidFile } from '../processes.js';
import { probe } from '../prerequisites.js';
import { InfraError, progress } from '../progress.js';

const MARKER = paths.mariadbData;

async function canLogIn(admin: DbConfig): Promise<true | Error> {
  try {
    const conn = await mariadb.createConnection({
      host: admin.host,
      port: admin.port,
      user: admin.user,
      password: admin.password,
      connectTimeout: 3000,
    });
    await conn.end();
    return true;
  } catch (error) {
    return error as Error;
  }
}

async function findMariadbd(): Promise<string | undefined> {
  for (const candidate of ['/usr/sbin/mariadbd', '/usr/local/sbin/mariadbd', '/opt/homebrew/bin/mariadbd']) {
    if (existsSync(candidate)) return candidate;
  }
  const out = await probe('which', ['mariadbd']);
  return out?.trim() || undefined;
}

/**
 * Makes sure a MariaDB server answers at the configured address: the one already running
 * (what a developer machine and CI have), or else a private instance in .local/mariadb.
 */
export async function ensureMariaDb(admin: DbConfig): Promise<'existing' | 'private'> {
  if (await portOpen(admin.port, admin.host)) {
    const login = await canLogIn(admin);
    if (login !== true) {
      throw new InfraError(
        `A MariaDB server answers on ${admin.host}:${admin.port} but the admin login failed: ${login.message}`,
        'Set MARIADB_ADMIN_USER and MARIADB_ADMIN_PASSWORD (see .env.example) to an account that may create databases and users.',
      );
    }
    const ours = await livePid(paths.mariadbPidFile, MARKER);
    progress.ok(
      `MariaDB answers on ${admin.host}:${admin.port}${ours ? ` (private instance, pid ${ours})` : ''}`,
    );
    return ours ? 'private' : 'existing';
  }
  const mariadbd = await findMariadbd();
  if (!mariadbd) {
    throw new InfraError(
      `No MariaDB server answers on ${admin.host}:${admin.port}, and mariadbd is not installed.`,
      'Install MariaDB (Debian/Ubuntu: `apt-get install mariadb-server`; macOS: `brew install mariadb`) or point MARIADB_HOST/MARIADB_PORT at a running server.',
    );
  }
  await startPrivateInstance(mariadbd, admin);
  return 'private';
}

async function startPrivateInstance(mariadbd: string, admin: DbConfig): Promise<void> {
  await mkdir(paths.mariadbHome, { recursive: true });
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  if (!existsSync(`${paths.mariadbData}/mysql`)) {
    progress.step(`Creating a private MariaDB data folder in ${paths.mariadbData}…`);
    const installDb = (await probe('which', ['mariadb-install-db']))?.trim() || 'mariadb-install-db';
    const code = await new Promise<number>((resolve) => {
      const out = openSync(paths.mariadbLogFile, 'a');
      spawn(
        installDb,
        [
          '--no-defaults',
          `--datadir=${paths.mariadbData}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          ...asRoot,
        ],
        { stdio: ['ignore', out, out] },
      ).on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) {
      throw new InfraError(
        `mariadb-install-db failed (see ${paths.mariadbLogFile}).`,
        'Delete .local/mariadb and run `npm run infra:up` again.',
      );
    }
  }
  progress.step(`Starting a private MariaDB server on ${admin.host}:${admin.port}…`);
  const out = openSync(paths.mariadbLogFile, 'a');
  const child = spawn(
    mariadbd,
    [
      '--no-defaults',
      `--datadir=${paths.mariadbData}`,
      `--port=${admin.port}`,
      `--bind-address=${admin.host}`,
      `--socket=${paths.mariadbSocket}`,
      `--pid-file=${paths.mariadbPidFile}.server`,
      ...asRoot,
    ],
    { stdio: ['ignore', out, out], detached: true },
  );
  child.unref();
  if (!child.pid) throw new InfraError('mariadbd did not start.', `See ${paths.mariadbLogFile}.`);
  await writePidFile(paths.mariadbPidFile, child.pid);
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if ((await portOpen(admin.port, admin.host)) && (await canLogIn(admin)) === true) {
      progress.ok(`Private MariaDB up (pid ${child.pid}) on ${admin.host}:${admin.port}`);
      return;
    }
    await sleep(250);
  }
  throw new InfraError(
    `The private MariaDB server did not become ready (see ${paths.mariadbLogFile}).`,
    'Check the log; delete .local/mariadb to start from an empty data folder.',
  );
}

/** Stops the private instance if this project started one; a shared server is left alone. */
export async function stopPrivateMariaDb(): Promise<boolean> {
  const pid = await livePid(paths.mariadbPidFile, MARKER);
  if (!pid) return false;
  progress.step(`Stopping the private MariaDB server (pid ${pid})…`);
  await stopProcess(pid, paths.mariadbPidFile);
  progress.ok('Private MariaDB stopped');
  return true;
}
