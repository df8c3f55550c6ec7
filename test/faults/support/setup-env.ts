/**
 * Runs before each fault test file: the suite's environment (so the config module, the pools and
 * the Kafka clients all point at the fault stack), and a copy of everything the in-process
 * handlers log, for the scan for secrets at the end.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { LOGS, loadSuiteEnv } from './stack.js';

Object.assign(process.env, loadSuiteEnv());
// The run's spans stay with its logs, and the scan for secrets reads them too.
process.env.TRACES_FILE ??= path.join(LOGS, 'spans.jsonl');

const file = path.join(LOGS, `in-process-${process.pid}.log`);
for (const level of ['log', 'info', 'warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    appendFileSync(file, `${format(...args)}\n`);
    if (process.env.FAULTS_VERBOSE === '1') original(...args);
  };
}
