/**
 * `tsx test/faults/support/relay-process.ts [--crash-after-publish]`: the outbox relay as a process
 * of its own, looping like `npm start`'s relay (same lock, same options from the environment).
 * Each batch it published is printed as a JSON line of positions, so the suite can see rows that
 * became visible after higher positions had been published. With --crash-after-publish the process
 * kills itself with SIGKILL right after the broker acknowledged a batch, before the outbox is cleared.
 */
import type { EventBus } from '../../../lib/bus/types.js';
import { closePools } from '../../../lib/db/pool.js';
import { log } from '../../../lib/log.js';
import { relayOnce } from '../../../lib/outbox/relay.js';
import { relayContext } from '../../../lib/outbox/relay-runner.js';

const crash = process.argv.includes('--crash-after-publish');
const ctx = relayContext();
const bus: EventBus = {
  async publish(events) {
    await ctx.bus.publish(events);
    process.stdout.write(`${JSON.stringify({ published: events.map((e) => e.position) })}\n`);
    if (crash) process.kill(process.pid, 'SIGKILL');
  },
};

let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));

while (!stopping) {
  try {
    const result = await relayOnce(ctx.pool, bus, ctx.options);
    if (result.outcome === 'published') continue;
    if (result.outcome === 'failed')
      log.warn('relay-publish-failed', { count: result.count, reason: result.error });
  } catch (error) {
    log.warn('relay-pass-failed', { reason: (error as Error).message });
  }
  await new Promise((resolve) => setTimeout(resolve, ctx.relay.intervalMs));
}
await ctx.bus.close();
await closePools();
