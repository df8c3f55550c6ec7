/**
 * Scenario 5. Old events are published again after newer ones of their stream were applied:
 * exact copies of versions 1 and 2, and forged versions 2 with other content. All are ignored:
 * the read model and the applied-events audit do not change.
 */
import { randomUUID } from 'node:crypto';
import { toMessage } from '../../lib/bus/envelope.js';
import { EVENT_COLUMNS, rowToEvent, type EventRow } from '../../lib/eventstore/rows.js';
import { createProducer } from '../../lib/kafka/client.js';
import { kafkaConfig } from '../support/env.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';

const scenario = useScenario();
const { oracle } = scenario;

it('5. old events re-published after newer ones are ignored', async () => {
  await oracle.settle();
  const streams = (
    (await oracle.writeDb.query(
      'SELECT stream_id FROM events GROUP BY stream_id HAVING MAX(version) >= 3 ORDER BY MIN(position) LIMIT 300',
    )) as Array<{ stream_id: string }>
  ).map((r) => r.stream_id);
  const old = (
    (await oracle.writeDb.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id IN (?) AND version <= 2`,
      [streams],
    )) as EventRow[]
  ).map(rowToEvent);
  const forged = old
    .filter((e) => e.version === 2)
    .map((e) => ({ ...e, eventId: randomUUID(), data: { name: 'Forged from the past' } }));
  const snapshot = async () => ({
    rows: await oracle.readDb.query('SELECT * FROM USER_DATA WHERE USER_ID IN (?) ORDER BY USER_ID', [
      streams,
    ]),
    audit: await oracle.count(oracle.readDb, 'SELECT COUNT(*) FROM applied_events'),
  });
  const before = await snapshot();
  const skippedBefore = scenario.offline.outcomes('skipped-duplicate');

  const producer = await createProducer(kafkaConfig, { quiet: true });
  await producer.connect();
  await producer.send({ topic: kafkaConfig.topic, messages: [...old, ...forged].map(toMessage) });
  await producer.disconnect();
  await oracle.settle();

  const skipped = scenario.offline.outcomes('skipped-duplicate') - skippedBefore;
  const result = await oracle.check(
    '5. old events re-published after newer ones',
    { commands: 0, acks: [], streams },
    {
      'old copies re-published': old.length,
      'forged old versions published': forged.length,
      'skipped as duplicates': skipped,
    },
  );
  expect(result.failures).toEqual(NO_FAILURES);
  expect(streams.length).toBeGreaterThanOrEqual(100);
  expect(await snapshot()).toEqual(before);
  expect(skipped).toBe(old.length + forged.length);
});
