/**
 * Read-your-writes: wait, bounded, for the read model to reach a version. Polls with pauses that
 * double from `firstPollMs` up to `maxPollMs`, so a version that is late or never comes costs a
 * handful of queries in the whole `waitMs`, not one every few milliseconds.
 */
import type { UserQueries } from './queries.js';
import type { UserView } from './types.js';

export interface ConsistencyWait {
  waitMs: number;
  firstPollMs: number;
  maxPollMs: number;
}

export async function readAtLeast(
  queries: UserQueries,
  id: string,
  minVersion: number | undefined,
  wait: ConsistencyWait,
): Promise<{ view: UserView | undefined; caughtUp: boolean }> {
  let view = await queries.getUser(id);
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
    view = await queries.getUser(id);
  }
  return { view, caughtUp: (view?.version ?? 0) >= minVersion };
}
