/**
 * `npm run retention [-- --dry-run] [--dead-letters-days N] [--audit-days N]`: applies the read
 * side's retention (lib/ops/retention.ts) and says what it deleted and what it keeps.
 */
import { closePools, pool } from '../lib/db/pool.js';
import { applyRetention, DEFAULT_RETENTION } from '../lib/ops/retention.js';

function days(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${flag} takes a whole number of days (1 or more).`);
    process.exit(2);
  }
  return value;
}

try {
  const dryRun = process.argv.includes('--dry-run');
  const policy = {
    redrivenDeadLetterDays: days('--dead-letters-days', DEFAULT_RETENTION.redrivenDeadLetterDays),
    auditDays: days('--audit-days', DEFAULT_RETENTION.auditDays),
  };
  const summary = await applyRetention(pool('operator'), policy, { dryRun });
  const verb = dryRun ? 'would delete' : 'deleted';
  console.log(
    `Redriven dead letters older than ${policy.redrivenDeadLetterDays} days: ${verb} ${summary.redrivenDeadLetters}`,
  );
  console.log(`Applied-events audit rows older than ${policy.auditDays} days: ${verb} ${summary.auditRows}`);
  console.log(
    `Kept: ${summary.kept.deadLetters} dead letters not redriven (npm run dlq -- list), ` +
      `${summary.kept.parkedEvents} parked events (npm run dlq -- parked)`,
  );
} catch (error) {
  console.error(`✖ ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closePools();
}
