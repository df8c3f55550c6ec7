/**
 * Issue item 5: freshness, from a command's 2xx to the user being visible through the query
 * function, at a steady arrival rate. Commands and queries run in this process (the real
 * handlers); the projection runs where it runs for real locally: in `sls offline`, fed by the
 * offline Kafka event source plugin (batching window 0, as serverless.yml sets it).
 *
 * Visibility is polled every `pollMs` with one SELECT over all pending ids (the query role,
 * the table the query function reads); each user found is then fetched through the query
 * function, which must answer 200, and the time taken is when that answer arrived.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readDbConfig } from '../../lib/config.js';
import { createPool } from '../../lib/db/pool.js';
import { apiEvent, lambdaContext } from '../../test/support/apigw.js';
import { openLoop } from '../support/load.js';
import { percentiles, type Percentiles } from '../support/stats.js';

type Invokable = (event: never, context: never) => Promise<{ statusCode: number; body?: string }>;

export interface Freshness extends Percentiles {
  rate: number;
  commands: number;
  seen: number;
  /** Commands that did not start on time because the process was busy (p99 of the lateness). */
  lateStartP99Ms: number;
  commandP99Ms: number;
  /** When each user's command answered 2xx, and when it was seen (performance.now()). */
  answeredAt: Map<string, number>;
  seenAt: Map<string, number>;
}

export async function freshness(
  command: Invokable,
  query: Invokable,
  ratePerSecond: number,
  durationMs: number,
  pollMs = 2,
): Promise<Freshness> {
  const pool = createPool({ ...readDbConfig(process.env, 'query'), connectionLimit: 2 });
  const pending = new Map<string, number>();
  const freshMs: number[] = [];
  const answeredAt = new Map<string, number>();
  const seenAt = new Map<string, number>();
  const commandMs: number[] = [];
  let failures = 0;
  let polling = true;
  const confirm = async (id: string, committedAt: number) => {
    const res = await query(
      apiEvent({ method: 'GET', path: `/users/${id}`, pathParameters: { id } }) as never,
      lambdaContext() as never,
    );
    if (res.statusCode === 200) {
      const now = performance.now();
      freshMs.push(now - committedAt);
      seenAt.set(id, now);
    } else failures++;
  };
  const poller = (async () => {
    while (polling || pending.size) {
      if (pending.size) {
        const ids = [...pending.keys()];
        const rows = (await pool.query('SELECT USER_ID FROM USER_DATA WHERE USER_ID IN (?)', [
          ids,
        ])) as Array<{
          USER_ID: string;
        }>;
        await Promise.all(
          rows.map((row) => {
            const at = pending.get(row.USER_ID)!;
            pending.delete(row.USER_ID);
            return confirm(row.USER_ID, at);
          }),
        );
      }
      await sleep(pollMs);
    }
  })();
  const load = await openLoop(ratePerSecond, durationMs, async (i) => {
    const t0 = performance.now();
    const res = await command(
      apiEvent({ method: 'POST', path: '/users', body: { name: `Fresh User ${i}` } }) as never,
      lambdaContext() as never,
    );
    const done = performance.now();
    commandMs.push(done - t0);
    if (res.statusCode !== 201) {
      failures++;
      return;
    }
    const { id } = JSON.parse(res.body ?? '{}') as { id: string };
    pending.set(id, done);
    answeredAt.set(id, done);
  });
  const give = Date.now() + 30000;
  while (pending.size && Date.now() < give) await sleep(50);
  polling = false;
  pending.clear();
  await poller;
  await pool.end();
  if (failures) throw new Error(`freshness at ${ratePerSecond}/s: ${failures} commands or reads failed`);
  const late = percentiles(load.lateStartsMs);
  return {
    rate: ratePerSecond,
    commands: load.started,
    seen: freshMs.length,
    ...percentiles(freshMs),
    lateStartP99Ms: late.p99,
    commandP99Ms: percentiles(commandMs).p99,
    answeredAt,
    seenAt,
  };
}
