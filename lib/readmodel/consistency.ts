/**
 * Read-your-writes: wait, bounded, for the read model to reach a version. Polls with pauses that
 * double from `firstPollMs` up to `maxPollMs`, so a version that is late or never comes costs a
 * handful of queries in the whole `waitMs`, not one every few milliseconds.
 */
import type { ReadView } from '../aggregate/definition.js';
import { AppError } from '../errors.js';

export interface ConsistencyWait {
  waitMs: number;
  firstPollMs: number;
  maxPollMs: number;
}

export async function readAtLeast<View extends ReadView>(
  read: () => Promise<View | undefined>,
  minVersion: number | undefined,
  wait: ConsistencyWait,
): Promise<{ view: View | undefined; caughtUp: boolean }> {
  let view = await read();
  if (minVersion === undefined) return { view, caughtUp: true };
  const deadline = Date.now() + wait.waitMs;
  for (
    let pause = wait.firstPollMs;
    (view?.version ?? 0) < minVersion;
    pause = Math.min(pause * 2, wait.maxPollMs)
  ) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    view = await read();
  }
  return { view, caughtUp: (view?.version ?? 0) >= minVersion };
}

/**
 * The version a client needs to see: `?minVersion=`, or `X-Consistency-Token: <id>@<version>`
 * (as the command answered) for this stream, whichever is higher.
 */
export function requiredVersion(
  id: string,
  minVersion: number | undefined,
  headers: Record<string, string>,
  noun: string,
): number | undefined {
  const token = headers['x-consistency-token'];
  if (token === undefined) return minVersion;
  const match = /^([0-9a-fA-F-]{36})@(\d{1,9})$/.exec(token);
  if (!match || match[1]!.toLowerCase() !== id) {
    throw new AppError('INVALID_HEADER', `X-Consistency-Token must be "<id>@<version>" for this ${noun}.`, [
      { field: 'X-Consistency-Token', problem: `must be <id>@<version> naming this ${noun}` },
    ]);
  }
  return Math.max(minVersion ?? 0, Number(match[2]));
}
