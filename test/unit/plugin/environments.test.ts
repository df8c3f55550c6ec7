import { functionEnvironments } from '../../../plugins/serverless-offline-kafka/environments.js';

/**
 * serverless-offline's pool of one function, as LambdaFunctionPool.get does it: an idle
 * environment if there is one, else a new one (a cold start). Each invocation stays busy until
 * the test lets it finish.
 */
function offlinePool() {
  const environments: Array<{ busy: boolean; events: unknown[] }> = [];
  const pending: Array<() => void> = [];
  let busyAtOnce = 0;
  const invoke = (event: unknown) => {
    let env = environments.find((e) => !e.busy);
    if (!env) {
      env = { busy: false, events: [] };
      environments.push(env);
    }
    const mine = env;
    mine.busy = true;
    mine.events.push(event);
    busyAtOnce = Math.max(busyAtOnce, environments.filter((e) => e.busy).length);
    return new Promise<string>((resolve) =>
      pending.push(() => {
        mine.busy = false;
        resolve(`done ${String(event)}`);
      }),
    );
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Lets every invocation that is running finish, and the ones waiting after them. */
  const finishAll = async () => {
    for (await settle(); pending.length; await settle()) for (const finish of pending.splice(0)) finish();
  };
  return { environments, invoke, finishAll, busyAtOnce: () => busyAtOnce };
}

describe('function environments of the offline Kafka event source', () => {
  it('warming starts one environment per partition at once, each with the start-up event', async () => {
    const pool = offlinePool();
    const envs = functionEnvironments({ limit: Infinity, invoke: pool.invoke });
    const warming = envs.warm(3, 'empty batch');
    await pool.finishAll();
    expect(await warming).toEqual({ started: 3, failures: [] });
    expect(pool.environments.map((e) => e.events)).toEqual([
      ['empty batch'],
      ['empty batch'],
      ['empty batch'],
    ]);
  });

  it('overlapping batches after warming run in the warm environments, never in a new one', async () => {
    const pool = offlinePool();
    const envs = functionEnvironments({ limit: 3, invoke: pool.invoke });
    const warming = envs.warm(3, 'empty batch');
    await pool.finishAll();
    await warming;
    const batches = ['p0', 'p1', 'p2'].map((p) => envs.run(p));
    await pool.finishAll();
    expect(await Promise.all(batches)).toEqual(['done p0', 'done p1', 'done p2']);
    expect(pool.environments.map((e) => e.events[0])).toEqual(['empty batch', 'empty batch', 'empty batch']);
  });

  it('runs no more invocations at once than the reserved concurrency; the others wait for a free environment', async () => {
    const pool = offlinePool();
    const envs = functionEnvironments({ limit: 2, invoke: pool.invoke });
    const batches = ['p0', 'p1', 'p2', 'p3'].map((p) => envs.run(p));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.environments.filter((e) => e.busy)).toHaveLength(2);
    await pool.finishAll();
    expect(await Promise.all(batches)).toEqual(['done p0', 'done p1', 'done p2', 'done p3']);
    expect(pool.busyAtOnce()).toBe(2);
    expect(pool.environments).toHaveLength(2);
  });

  it('warms no more environments than the reserved concurrency, and at least one', async () => {
    const pool = offlinePool();
    const warming = functionEnvironments({ limit: 2, invoke: pool.invoke }).warm(6, 'empty batch');
    await pool.finishAll();
    expect((await warming).started).toBe(2);
    const none = functionEnvironments({ limit: Infinity, invoke: pool.invoke }).warm(0, 'empty batch');
    await pool.finishAll();
    expect((await none).started).toBe(1);
  });

  it('reports an environment whose start-up batch failed, and frees it for the batches after', async () => {
    let calls = 0;
    const envs = functionEnvironments({
      limit: 1,
      invoke: async (event) => {
        if (calls++ === 0) throw new Error('database not up yet');
        return event;
      },
    });
    const { started, failures } = await envs.warm(1, 'empty batch');
    expect(started).toBe(1);
    expect(failures.map((f) => (f as Error).message)).toEqual(['database not up yet']);
    expect(await envs.run('p0')).toBe('p0');
  });

  it('pausing waits for the running invocations and holds back the next ones until resumed', async () => {
    const pool = offlinePool();
    const envs = functionEnvironments({ limit: Infinity, invoke: pool.invoke });
    const running = envs.run('p0');
    await new Promise((resolve) => setImmediate(resolve));
    let paused = false;
    const pausing = envs.pause().then(() => (paused = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(paused).toBe(false);
    const held = envs.run('p1');
    await pool.finishAll();
    await pausing;
    expect(await running).toBe('done p0');
    expect(pool.environments.flatMap((e) => e.events)).toEqual(['p0']);
    envs.resume();
    await pool.finishAll();
    expect(await held).toBe('done p1');
    expect(pool.environments.flatMap((e) => e.events)).toEqual(['p0', 'p1']);
  });
});
