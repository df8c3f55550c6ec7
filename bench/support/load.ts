/** Load shapes: a closed loop (N workers back to back) and an open loop (a fixed arrival rate). */
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  perSecond: number;
  latenciesMs: number[];
  firstError?: string;
}

export interface ClosedLoop {
  concurrency: number;
  /** Stops starting new operations after this long. */
  durationMs: number;
  /** And after this many operations, whichever comes first. */
  maxOps?: number;
  /** Operation `i` (0-based, unique across workers). */
  op: (i: number) => Promise<unknown>;
}

/** `concurrency` workers each run `op` back to back until the time or the count is spent. */
export async function closedLoop({
  concurrency,
  durationMs,
  maxOps = Number.MAX_SAFE_INTEGER,
  op,
}: ClosedLoop): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && next < maxOps) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const ops = latenciesMs.length;
  return { ops, errors, elapsedMs, perSecond: (ops / elapsedMs) * 1000, latenciesMs, firstError };
}

/**
 * Starts `op` at a steady `ratePerSecond` for `durationMs`, whatever the previous ones are
 * doing, then waits for the stragglers (at most `drainMs`).
 */
export async function openLoop(
  ratePerSecond: number,
  durationMs: number,
  op: (i: number) => Promise<void>,
  drainMs = 30000,
): Promise<{ started: number; lateStartsMs: number[] }> {
  const interval = 1000 / ratePerSecond;
  const total = Math.floor((durationMs / 1000) * ratePerSecond);
  const running: Promise<void>[] = [];
  const lateStartsMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    lateStartsMs.push(Math.max(0, performance.now() - due));
    running.push(op(i).catch(() => undefined));
  }
  await Promise.race([Promise.all(running), sleep(drainMs)]);
  return { started: total, lateStartsMs };
}

/**
 * Runs baseline and candidate alternately, `rounds` times, so drifting machine load hits both
 * alike; the ratio is the median of the per-round ratios.
 */
export async function paired(
  rounds: number,
  baseline: () => Promise<LoadResult>,
  candidate: () => Promise<LoadResult>,
): Promise<{ baseline: LoadResult[]; candidate: LoadResult[]; ratios: number[] }> {
  const out = { baseline: [] as LoadResult[], candidate: [] as LoadResult[], ratios: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0;
    const b = first ? await baseline() : undefined;
    const c = await candidate();
    const b2 = b ?? (await baseline());
    out.baseline.push(b2);
    out.candidate.push(c);
    out.ratios.push(c.perSecond / b2.perSecond);
  }
  return out;
}
