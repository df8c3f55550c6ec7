/**
 * Who is using the local stack. `npm start`, `npm test`, the benchmark and `npm run infra:up` each
 * hold a lease (a file in the state folder) while they use the broker and databases; the stack is
 * stopped when the last lease is returned, so one of them ending never pulls the broker from
 * under another, and whatever was running before is left running. A lease of a process that died
 * (kill -9) no longer counts. A lock file serialises starting and stopping.
 */
import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isRunning, processRef, type ProcessRef } from './lifeline.js';
import { STATE_DIR } from './paths.js';
import { sleep } from './processes.js';
import { progress } from './progress.js';

const LEASES_DIR = path.join(STATE_DIR, 'leases');
const LOCK_FILE = path.join(STATE_DIR, 'stack.lock');

export interface Lease {
  /** What holds it: "npm start", "npm test", "infra:up". */
  owner: string;
  /** The holding process; none for `infra:up`, whose lease lasts until `infra:down`. */
  process?: ProcessRef;
  file: string;
}

async function readLease(file: string): Promise<Lease | undefined> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Omit<Lease, 'file'>;
    return { ...data, file };
  } catch {
    return undefined;
  }
}

/** Every lease on file, in force or not. */
export async function allLeases(): Promise<Lease[]> {
  const names = await readdir(LEASES_DIR).catch(() => [] as string[]);
  const leases = await Promise.all(names.map((name) => readLease(path.join(LEASES_DIR, name))));
  return leases.filter((lease): lease is Lease => lease !== undefined);
}

/** The leases still in force: pinned ones, and those whose process runs. Dead ones are removed. */
export async function liveLeases(): Promise<Lease[]> {
  const live: Lease[] = [];
  for (const lease of await allLeases()) {
    if (!lease.process || isRunning(lease.process)) live.push(lease);
    else await removeLease(lease);
  }
  return live;
}

/** Records a lease for `owner`: held by this process, or pinned (`pinned: true`) until removed. */
export async function writeLease(owner: string, { pinned = false } = {}): Promise<Lease> {
  await mkdir(LEASES_DIR, { recursive: true });
  const file = path.join(LEASES_DIR, pinned ? `${owner.replace(/\W+/g, '-')}.json` : `${process.pid}.json`);
  const lease: Omit<Lease, 'file'> = pinned ? { owner } : { owner, process: processRef(process.pid) };
  await writeFile(file, JSON.stringify(lease));
  return { ...lease, file };
}

export async function removeLease(lease: Pick<Lease, 'file'>): Promise<void> {
  await rm(lease.file, { force: true });
}

/** Removes every pinned lease (what `infra:down` takes back). */
export async function removePinnedLeases(): Promise<void> {
  for (const lease of await liveLeases()) if (!lease.process) await removeLease(lease);
}

/**
 * Runs `work` while holding the stack lock. A lock left by a process that died is taken over;
 * one held by a live process is waited for, with a progress line.
 */
export async function withStackLock<T>(work: () => Promise<T>, timeoutMs = 300000): Promise<T> {
  await mkdir(STATE_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(LOCK_FILE, 'wx');
      await handle.writeFile(JSON.stringify(processRef(process.pid)));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readFile(LOCK_FILE, 'utf8')
        .then((text) => JSON.parse(text) as ProcessRef)
        .catch(() => undefined);
      if (!holder || !isRunning(holder)) {
        await rm(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`pid ${holder.pid} held ${LOCK_FILE} for too long`);
      if (!told) progress.step(`Waiting for pid ${holder.pid}, which is starting or stopping the stack…`);
      told = true;
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_FILE, { force: true });
  }
}
