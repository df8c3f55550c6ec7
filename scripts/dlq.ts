/**
 * `npm run dlq -- list [--all] | show <id> | redrive <id> | drop <id> | parked`: the projection's
 * dead letters, and the events parked behind them. Exit status: 0 done, 1 the record still fails
 * or the id is unknown, 2 bad usage.
 */
import { closePools, pool } from '../lib/db/pool.js';
import { keyringFor } from '../lib/personal-data/keyring-for.js';
import { registry } from '../aggregates/index.js';
import { DeadLetterStore } from '../lib/deadletters/store.js';
import { listParked } from '../lib/projection/parked.js';

const USAGE = 'Usage: npm run dlq -- list [--all] | show <id> | redrive <id> | drop <id> | parked';

function idArg(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) {
    console.error(`A dead-letter id (a positive whole number) is required.\n${USAGE}`);
    process.exit(2);
  }
  return id;
}

async function main(args: string[]): Promise<number> {
  const store = new DeadLetterStore(pool('operator'), registry, keyringFor('operator'));
  const [command, arg] = args;
  switch (command) {
    case 'list': {
      const letters = await store.list({ includeRedriven: args.includes('--all'), limit: 500 });
      if (!letters.length) console.log('No dead letters.');
      for (const d of letters) {
        console.log(
          `${String(d.id).padStart(6)}  ${d.createdAt}  ${d.topic}[${d.partition}]@${d.offset}  ${d.reasonCode}` +
            `${d.redrivenAt ? `  (redriven ${d.redrivenAt})` : ''}\n        ${d.reason.slice(0, 160)}`,
        );
      }
      return 0;
    }
    case 'show': {
      const detail = await store.show(idArg(arg));
      if (!detail) {
        console.error(`No dead letter ${arg}.`);
        return 1;
      }
      console.log(JSON.stringify(detail, null, 2));
      return 0;
    }
    case 'redrive': {
      const result = await store.redrive(idArg(arg));
      switch (result.outcome) {
        case 'not-found':
          console.error(`No dead letter ${arg}.`);
          return 1;
        case 'already-redriven':
          console.log(`Dead letter ${arg} was already redriven at ${result.redrivenAt}.`);
          return 0;
        case 'still-failing':
          console.error(`Dead letter ${arg} still fails (${result.reasonCode}): ${result.reason}`);
          return 1;
        default:
          console.log(`Dead letter ${arg} redriven: ${result.outcome}.`);
          return 0;
      }
    }
    case 'parked': {
      const parked = await listParked(pool('operator'), 500);
      if (!parked.length) console.log('No parked events.');
      for (const p of parked) {
        console.log(
          `${p.parkedAt}  waiting ${Math.round(p.ageMs / 1000)} s  ${p.streamId} v${p.version} ${p.type}` +
            `  (needs v${p.version - 1} first)`,
        );
      }
      return 0;
    }
    case 'drop':
      if (await store.drop(idArg(arg))) {
        console.log(`Dead letter ${arg} dropped.`);
        return 0;
      }
      console.error(`No dead letter ${arg}.`);
      return 1;
    default:
      console.error(USAGE);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`✖ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closePools();
}
