/**
 * Scenario 4. The projection's consumer group is reset to offset 0 and the whole topic — every
 * event of the suite so far, with its duplicates and poison records — is delivered again. The
 * read model, the dead letters and the applied-events audit are unchanged.
 */
import { kafkaConfig } from '../support/env.js';
import { NO_FAILURES, Oracle } from './support/oracle.js';
import { ensureOffline, groupEmpty, stopOffline, type Offline } from './support/processes.js';

const oracle = new Oracle();
let offline: Offline | undefined;

afterAll(async () => {
  await oracle.close();
});

it('4. the whole topic re-delivered from offset 0 leaves the read model unchanged', async () => {
  const snapshot = async () => ({
    users: await oracle.readDb.query('SELECT * FROM USER_DATA ORDER BY USER_ID'),
    parked: await oracle.count(oracle.readDb, 'SELECT COUNT(*) FROM parked_events'),
    deadLetters: await oracle.count(oracle.readDb, 'SELECT COUNT(*) FROM dead_letters'),
    audit: await oracle.count(oracle.readDb, 'SELECT COUNT(*) FROM applied_events'),
  });
  await stopOffline();
  await groupEmpty();
  const before = await snapshot();
  const admin = await oracle.kafkaAdmin();
  await admin.resetOffsetsToEarliest(process.env.PROJECTION_CONSUMER_GROUP!, kafkaConfig.topic);
  const ends = await admin.fetchTopicOffsets(kafkaConfig.topic);
  const records = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);

  offline = await ensureOffline();
  await oracle.settle(240000);
  const streams = await oracle.allStreamIds();
  const result = await oracle.check(
    '4. whole topic re-delivered from offset 0',
    { commands: 0, acks: [], streams },
    {
      'records re-delivered': records,
      'skipped as duplicates': offline.outcomes('skipped-duplicate'),
      'dead-lettered again (already recorded)': offline.outcomes('dead-lettered'),
      applied: offline.outcomes('applied'),
    },
  );
  expect(result.failures).toEqual(NO_FAILURES);
  expect(offline.outcomes('applied')).toBe(0);
  expect(records).toBeGreaterThanOrEqual(result.eventsStored);
  expect(await snapshot()).toEqual(before);
});
