/**
 * Every test file that talks to the stack gets databases, database users, a topic and a consumer
 * group of its own, made here before the file's modules load (they read these variables) and
 * removed after its last test (throwaway-teardown.ts). Their tables are those of the test
 * registry (test/fixtures/registry.ts). The developer's databases, `cqrs_*` users,
 * topic and consumer group are never written. Tests that need a second set make one with
 * isolatedDatabases() or createTopic().
 */
import { randomBytes } from 'node:crypto';
import { throwawayNames } from './isolated-databases.js';

const suffix = randomBytes(4).toString('hex');
const names = throwawayNames('t');
const topic = `test-${suffix}-events`;
Object.assign(process.env, names, {
  KAFKA_TOPIC: topic,
  PROJECTION_CONSUMER_GROUP: `test-${suffix}-projection`,
});
// Kept apart from process.env, which a test may change: the teardown removes exactly these.
(globalThis as { __throwaway?: unknown }).__throwaway = { names, topic };

const { setUpData } = await import('../../infra/stack.js');
// The test registry: the product's aggregates and the orders fixture, so both have their tables.
const { registry } = await import('../fixtures/registry.js');
const quiet = console.log;
console.log = () => undefined;
try {
  await setUpData(process.env, registry);
} finally {
  console.log = quiet;
}
