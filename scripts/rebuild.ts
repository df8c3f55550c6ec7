/**
 * `npm run rebuild [-- --chunk N --keep-old]`: rebuilds the read model from the event store into fresh
 * tables and swaps them in atomically while the pipeline keeps running. Interrupted (Ctrl-C), it
 * resumes from its checkpoint on the next run.
 */
import { parseArgs } from 'node:util';
import { registry } from '../aggregates/index.js';
import { config } from '../lib/config.js';
import { closePools, pool } from '../lib/db/pool.js';
import { keyringFor } from '../lib/personal-data/keyring-for.js';
import { rebuildReadModel } from '../lib/rebuild/rebuild.js';
import { progressBar } from './progress-bar.js';

const { values } = parseArgs({
  options: { chunk: { type: 'string', default: '10000' }, 'keep-old': { type: 'boolean', default: false } },
});
const chunkSize = Number(values.chunk);
if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100000) {
  console.error('--chunk must be a whole number from 1 to 100000');
  process.exit(2);
}

const stop = new AbortController();
process.once('SIGINT', () => {
  console.error('\nStopping after the current chunk; run `npm run rebuild` again to resume.');
  stop.abort();
});

const bar = progressBar('rebuild');
try {
  const result = await rebuildReadModel(pool('operator'), registry, config.databases(), {
    keyring: keyringFor('operator'),
    chunkSize,
    keepOld: values['keep-old'],
    signal: stop.signal,
    onProgress: (p) =>
      bar.update({
        done: p.applied,
        total: p.total,
        ratePerSecond: p.eventsPerSecond,
        etaSeconds: p.etaSeconds,
      }),
  });
  bar.end();
  if (result.outcome === 'interrupted') {
    console.log(`Interrupted at position ${result.checkpoint} (run ${result.runId}); run again to resume.`);
    process.exitCode = 130;
  } else {
    console.log(
      `Read model rebuilt from ${result.applied} events${result.resumedFrom ? ` (resumed after position ${result.resumedFrom})` : ''} ` +
        `and swapped in; ${result.reconciledStreams} streams reconciled with the live projection.`,
    );
  }
} catch (error) {
  bar.end();
  console.error(`✖ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closePools();
}
