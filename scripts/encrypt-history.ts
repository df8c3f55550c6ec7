/**
 * `npm run encrypt-history [-- --chunk N]`: seals the personal fields of events stored before
 * they were encrypted, in place, with the operator role (docs/personal-data.md). Resumable:
 * Ctrl-C stops after the current chunk, and a next run does only what is left.
 */
import { parseArgs } from 'node:util';
import { registry } from '../aggregates/index.js';
import { closePools, keyStorePool } from '../lib/db/pool.js';
import { encryptHistory } from '../lib/personal-data/encrypt-history.js';
import { keyringFor } from '../lib/personal-data/keyring-for.js';
import { progressBar } from './progress-bar.js';

const { values } = parseArgs({ options: { chunk: { type: 'string', default: '500' } } });
const chunkSize = Number(values.chunk);
if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100000) {
  console.error('--chunk must be a whole number from 1 to 100000');
  process.exit(2);
}

const stop = new AbortController();
process.once('SIGINT', () => {
  console.error('\nStopping after the current chunk; run `npm run encrypt-history` again to resume.');
  stop.abort();
});

const bar = progressBar('encrypt-history');
try {
  const result = await encryptHistory(keyStorePool('operator'), registry, keyringFor('operator'), {
    chunkSize,
    signal: stop.signal,
    onProgress: (p) =>
      bar.update({
        done: p.done,
        total: p.total,
        ratePerSecond: p.eventsPerSecond,
        etaSeconds: p.etaSeconds,
      }),
  });
  bar.end();
  if (result.outcome === 'interrupted') {
    console.log(`Interrupted after sealing ${result.sealed} events; run it again to resume.`);
    process.exitCode = 130;
  } else {
    console.log(
      `Sealed the personal fields of ${result.sealed} events in ${result.streams} streams; none is left plain.`,
    );
  }
} catch (error) {
  console.error(`encrypt-history failed: ${(error as Error).message}`);
  console.error('Nothing already sealed is undone; fix the cause and run it again to go on.');
  process.exitCode = 1;
} finally {
  await closePools();
}
