/** Each scenario's counts: printed when it ends, collected for the table the suite prints last. */
import { appendFileSync } from 'node:fs';
import { RESULTS } from './stack.js';

export interface ScenarioCounts {
  scenario: string;
  /** Commands sent (each counted once, however often it was retried). */
  commands: number;
  /** Commands answered 2xx. */
  acknowledged: number;
  /** Events in the event store for the scenario's users. */
  eventsStored: number;
  /** Read-model rows of the scenario's users. */
  readModelRows: number;
  /** Acknowledged commands without their event, plus stored events the read model never applied. */
  lost: number;
  /** Events the read model applied more than once (applied_events audit). */
  appliedTwice: number;
  /** Events still parked behind a gap once the stack is at rest (the whole read model). */
  parked: number;
  /** What the scenario did to the stack, and what it saw (retries, duplicates delivered, …). */
  notes: Record<string, number | string>;
}

/** Prints one scenario's counts and keeps them for the summary table. */
export function report(counts: ScenarioCounts): void {
  appendFileSync(RESULTS, `${JSON.stringify(counts)}\n`);
  const notes = Object.entries(counts.notes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  process.stdout.write(
    `\n[fault] ${counts.scenario}: commands=${counts.commands} acknowledged=${counts.acknowledged} ` +
      `events=${counts.eventsStored} rows=${counts.readModelRows} lost=${counts.lost} ` +
      `appliedTwice=${counts.appliedTwice} parked=${counts.parked}${notes ? ` | ${notes}` : ''}\n`,
  );
}

/** A Markdown table of every scenario's counts. */
export function table(rows: ScenarioCounts[]): string {
  const head =
    '| scenario | commands | acknowledged | events stored | read-model rows | lost | applied twice | parked at rest | notes |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |';
  const body = rows.map((r) =>
    [
      r.scenario,
      r.commands,
      r.acknowledged,
      r.eventsStored,
      r.readModelRows,
      r.lost,
      r.appliedTwice,
      r.parked,
      Object.entries(r.notes)
        .map(([k, v]) => `${k} ${v}`)
        .join('; '),
    ].join(' | '),
  );
  return [head, rule, ...body.map((b) => `| ${b} |`)].join('\n');
}

const started = Date.now();

/** With FAULTS_TIMELINE=1, prints how far into the test file a step is (to see where the time goes). */
export function mark(step: string): void {
  if (process.env.FAULTS_TIMELINE === '1')
    process.stdout.write(`[fault] +${Date.now() - started} ms ${step}\n`);
}
