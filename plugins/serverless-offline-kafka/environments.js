// @ts-check
/**
 * The execution environments of one function, as Lambda runs them for its Kafka event source
 * mappings: at most `limit` invocations at once (the function's reserved concurrency, when it
 * has one), the others waiting for an environment to be free, as a throttled mapping waits.
 *
 * serverless-offline gives each overlapping invocation an environment of its own and starts a
 * new one (a worker thread that loads the handler's module) whenever none is idle, which takes
 * hundreds of milliseconds to seconds; the consumer fetches the next records of every partition
 * only once the batches of all of them are done, so one such start holds up the whole topic.
 * `warm` starts, in one go, as many environments as the mappings can use at once (one per
 * partition, within the limit), so that neither the first records after start-up nor the first
 * batches that overlap meet a cold start. `pause` and `resume` let a rebuild replace them
 * between invocations, never during one.
 */

/**
 * @param {object} params
 * @param {number} params.limit  invocations at once (Infinity: no limit)
 * @param {(event: unknown) => Promise<unknown>} params.invoke  one invocation in an idle environment
 */
export function functionEnvironments({ limit, invoke }) {
  let running = 0;
  /** @type {Array<() => void>} */
  const waiting = [];

  const acquire = () =>
    running < limit
      ? (running++, Promise.resolve())
      : new Promise((resolve) => waiting.push(() => resolve(undefined)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  // While paused (a rebuild replaces the environments), invocations wait before they start.
  /** @type {{ promise: Promise<void>, open: () => void } | undefined} */
  let gate;
  let active = 0;
  /** @type {Array<() => void>} */
  const idle = [];

  /** @param {unknown} event */
  const run = async (event) => {
    await acquire();
    try {
      while (gate) await gate.promise;
      active++;
      try {
        return await invoke(event);
      } finally {
        if (--active === 0) for (const resolve of idle.splice(0)) resolve();
      }
    } finally {
      release();
    }
  };

  return {
    run,
    /**
     * Holds back invocations that have not started, and resolves once the running ones are done.
     * @returns {Promise<void>}
     */
    async pause() {
      if (!gate) {
        /** @type {() => void} */
        let open = () => undefined;
        const promise = new Promise((resolve) => (open = () => resolve(undefined)));
        gate = { promise, open };
      }
      while (active > 0) await new Promise((resolve) => idle.push(() => resolve(undefined)));
    },
    /** Lets the invocations held back start. */
    resume() {
      const held = gate;
      gate = undefined;
      held?.open();
    },
    /**
     * Starts `count` environments (at most the limit) with `event`, all at once so that each gets
     * its own, and resolves once every one has answered; a failing one is reported, not thrown.
     * @param {number} count
     * @param {unknown} event  what the environments are started with (an empty batch)
     * @returns {Promise<{ started: number, failures: unknown[] }>}
     */
    async warm(count, event) {
      const started = Math.max(1, Math.min(count, limit));
      const outcomes = await Promise.allSettled(Array.from({ length: started }, () => run(event)));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      return { started, failures };
    },
  };
}
