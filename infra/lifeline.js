// @ts-check
/**
 * Processes that must not outlive the ones that started them. Node cannot ask the kernel to
 * signal a child when its parent dies, and `kill -9` of `npm start` (or closing its terminal
 * while a child ignores SIGHUP) would otherwise leave `sls offline` serving on its ports.
 * Instead each long-running process watches the processes above it and stops itself when one
 * of them is gone. Plain JavaScript: `sls offline` loads it through plugins/lifeline.js.
 */
import { readFileSync } from 'node:fs';

/**
 * @typedef {object} ProcessRef
 * @property {number} pid
 * @property {string | undefined} startTime  the kernel's start time (Linux), so a reused pid never counts as alive
 */

/**
 * The parent pid and start time of a process, from /proc (Linux), or undefined elsewhere or when
 * it is gone.
 * @param {number} pid
 * @returns {{ ppid: number, startTime: string } | undefined}
 */
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: String(fields[19]) };
  } catch {
    return undefined;
  }
}

/** @param {number} pid */
function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * npm's command line: `node …/npm-cli.js start`, or `npm start` as one string once npm has set
 * its process title.
 * @param {string[]} argv
 */
const isNpm = (argv) => argv.slice(0, 2).some((arg) => /(^|\/)npm(-cli\.js)?(\s|$)/.test(arg));

/** @param {number} pid @returns {ProcessRef} */
export function processRef(pid) {
  return { pid, startTime: procStat(pid)?.startTime };
}

/**
 * The processes this one was started through, from its parent up to and including the nearest
 * `npm` (so `kill -9` of `npm start` counts, though npm does not pass it on); just the parent
 * when no npm is among the ancestors or /proc is not there.
 * @returns {ProcessRef[]}
 */
export function launchers() {
  /** @type {ProcessRef[]} */
  const chain = [];
  let pid = process.ppid;
  while (pid > 1 && chain.length < 8) {
    const stat = procStat(pid);
    if (!stat) break;
    chain.push({ pid, startTime: stat.startTime });
    if (isNpm(commandLine(pid))) return chain;
    pid = stat.ppid;
  }
  return [processRef(process.ppid)];
}

/** @param {ProcessRef} ref */
export function isRunning(ref) {
  try {
    process.kill(ref.pid, 0);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EPERM') return false;
  }
  if (ref.startTime === undefined) return true;
  return procStat(ref.pid)?.startTime === ref.startTime;
}

/**
 * Calls `onGone` once, with the first watched process found gone (checked every `intervalMs`).
 * Returns a function that stops watching. The timer does not keep the process alive.
 * @param {ProcessRef[]} refs
 * @param {(gone: ProcessRef) => void} onGone
 * @param {number} [intervalMs]
 */
export function whenAnyExits(refs, onGone, intervalMs = 500) {
  const timer = setInterval(() => {
    const gone = refs.find((ref) => !isRunning(ref));
    if (!gone) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The environment variable that hands a child the process it must not outlive. */
export const LIFELINE_ENV = 'CQRS_LIFELINE';

/**
 * `pid:startTime` of this process, for a child's LIFELINE_ENV.
 * @returns {string}
 */
export function lifelineOfThisProcess() {
  const ref = processRef(process.pid);
  return `${ref.pid}:${ref.startTime ?? ''}`;
}

/**
 * The process named by LIFELINE_ENV, if set.
 * @param {NodeJS.ProcessEnv} env
 * @returns {ProcessRef | undefined}
 */
export function lifelineFrom(env) {
  const match = /^(\d+):(\d*)$/.exec(env[LIFELINE_ENV] ?? '');
  if (!match) return undefined;
  return { pid: Number(match[1]), startTime: match[2] || undefined };
}
