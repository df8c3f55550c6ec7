/** `npm run infra:up | infra:down | infra:status | infra:docker-grants`: the local stack without Docker. */
import { registry } from '../aggregates/index.js';
import { writeDockerGrants } from './docker/grants.js';
import { down, status, up } from './stack.js';
import { InfraError } from './progress.js';

function printStatus(s: Awaited<ReturnType<typeof status>>): void {
  const broker = s.broker.running
    ? `up on ${s.broker.address}${s.broker.pid ? ` (pid ${s.broker.pid})` : ' (not started by this project)'}`
    : `down (${s.broker.address})`;
  console.log(`Kafka broker : ${broker}`);
  for (const t of s.broker.topics) console.log(`  topic      : ${t.topic} (${t.partitions} partitions)`);
  console.log(`MariaDB      : ${s.mariadb.reachable ? 'reachable' : `unreachable: ${s.mariadb.error}`}`);
  for (const d of s.databases) {
    console.log(
      `  database   : ${d.name} ${d.migrationLevel === undefined ? '(missing)' : `(migration ${d.migrationLevel})`}`,
    );
  }
  if (s.outbox)
    console.log(
      `Outbox       : ${s.outbox.pending} events waiting for Kafka${s.outbox.pending ? ` (oldest ${s.outbox.oldestAgeMs} ms)` : ''}`,
    );
  if (s.readModel) {
    const { parked, deadLetters } = s.readModel;
    console.log(
      `Read model   : ${parked.count} events parked${parked.count ? ` (oldest ${parked.oldestAgeMs} ms)` : ''}, ${deadLetters.count} dead letters${deadLetters.newestAt ? ` (newest ${deadLetters.newestAt})` : ''}`,
    );
  }
  if (s.projectionLag) {
    const perPartition = s.projectionLag.partitions.map((p) => `${p.partition}:${p.lag}`).join(' ');
    console.log(
      `Projection   : ${s.projectionLag.total} events behind (group ${s.projectionLag.group}; ${perPartition})`,
    );
  }
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      await up();
      printStatus(await status());
      return 0;
    case 'down':
      await down({ force: process.argv.includes('--force') });
      return 0;
    case 'status': {
      const s = await status();
      if (process.argv.includes('--json')) console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
      return s.broker.running && s.mariadb.reachable ? 0 : 1;
    }
    case 'docker-grants':
      await writeDockerGrants(registry);
      return 0;
    default:
      console.error('Usage: tsx infra/cli.ts up | down [--force] | status [--json] | docker-grants');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InfraError) {
      console.error(`\n✖ ${error.message}\n  → ${error.hint}`);
    } else {
      console.error('\n✖', error);
    }
    process.exit(1);
  },
);
