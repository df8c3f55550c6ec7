/**
 * Scenario 6. Poison records of every kind are produced straight onto the topic, each keyed to a
 * live user so it sits in that user's partition: unparseable bytes, an empty value, JSON that is
 * no envelope, an unknown event type, an invalid event, an event out of sequence, and well-formed
 * records the read model could not hold (stream ids of 40 and 64 characters, a 300-character
 * dateRegister). Each is dead-lettered with its reason, and the user's next event, behind it in
 * the same partition, is applied.
 */
import { randomUUID } from 'node:crypto';
import { createProducer } from '../../lib/kafka/client.js';
import { kafkaConfig } from '../support/env.js';
import { CommandClient, httpTransport, runConcurrently } from './support/client.js';
import { envelope as envelopeOf } from '../support/records.js';
import { NO_FAILURES } from './support/oracle.js';
import { useScenario } from './support/scenario.js';

const scenario = useScenario();
const { oracle } = scenario;

const envelope = (streamId: string, version: number, type: string, data: unknown) =>
  JSON.stringify(envelopeOf(streamId, version, type, data));

/** Each kind of poison, for a user at version 1, with the reason code it must be dead-lettered with. */
const POISON: Array<[string, (id: string) => string | Buffer, string]> = [
  ['unparseable JSON', () => '{"eventId": oops', 'UNPARSEABLE'],
  ['empty value', () => '', 'UNPARSEABLE'],
  ['binary garbage', () => Buffer.from([0xff, 0xfe, 0x00, 0x9f, 0x80]), 'UNPARSEABLE'],
  ['JSON that is no envelope', () => '{"hello":"world"}', 'INVALID_ENVELOPE'],
  ['unknown event type', (id) => envelope(id, 2, 'UserPromoted', {}), 'UNKNOWN_EVENT_TYPE'],
  ['invalid event data', (id) => envelope(id, 2, 'UserRenamed', { name: 'x'.repeat(300) }), 'INVALID_EVENT'],
  [
    'event out of sequence',
    (id) => envelope(id, 2, 'UserRegistered', { name: 'Again', dateRegister: new Date().toISOString() }),
    'INVALID_SEQUENCE',
  ],
  [
    'a 40-character stream id',
    () => envelope('s'.repeat(40), 1, 'UserRenamed', { name: 'Long' }),
    'INVALID_ENVELOPE',
  ],
  [
    'a 64-character stream id',
    () => envelope('s'.repeat(64), 1, 'UserRenamed', { name: 'Long' }),
    'INVALID_ENVELOPE',
  ],
  [
    'a 300-character dateRegister',
    () =>
      envelope(randomUUID(), 1, 'UserRegistered', {
        name: 'Long date',
        dateRegister: `2026-01-02T03:04:05.${'1'.repeat(279)}Z`,
      }),
    'INVALID_EVENT',
  ],
];
const PER_KIND = 5;

it('6. poison records of 10 kinds are dead-lettered with their reason, and each partition goes on', async () => {
  const client = new CommandClient(httpTransport(scenario.offline.url));
  const users: string[] = [];
  await runConcurrently(POISON.length * PER_KIND, 5, async () => {
    users.push((await client.register(client.uniqueName('Poisoned'))).body.id);
  });
  await oracle.settle();

  const producer = await createProducer(kafkaConfig, { quiet: true });
  await producer.connect();
  const expected: Array<{ partition: number; offset: string; code: string }> = [];
  for (const [i, id] of users.entries()) {
    const [, value, code] = POISON[i % POISON.length]!;
    const [sent] = await producer.send({
      topic: kafkaConfig.topic,
      messages: [{ key: id, value: value(id) }],
    });
    expected.push({ partition: sent!.partition, offset: sent!.baseOffset!, code });
  }
  await producer.disconnect();
  await runConcurrently(users.length, 5, (i) => client.rename(users[i]!, client.uniqueName('After poison')));
  await oracle.settle();

  const letters = (await oracle.readDb.query(
    'SELECT partition_no, offset_no, reason_code, reason FROM dead_letters WHERE topic = ?',
    [kafkaConfig.topic],
  )) as Array<{ partition_no: number; offset_no: number; reason_code: string; reason: string }>;
  const found = expected.map(
    (e) =>
      letters.find((l) => Number(l.partition_no) === e.partition && String(l.offset_no) === e.offset)
        ?.reason_code ?? 'missing',
  );
  const result = await oracle.check('6. poison records on the topic', client, {
    'poison records produced': expected.length,
    'dead-lettered with the right reason': found.filter((code, i) => code === expected[i]!.code).length,
    'events after the poison applied': client.acks.filter((a) => a.type === 'UserRenamed').length,
  });
  expect(result.failures).toEqual(NO_FAILURES);
  expect(found).toEqual(expected.map((e) => e.code));
  expect(letters.every((l) => l.reason.length > 0)).toBe(true);
  expect(client.acks.filter((a) => a.type === 'UserRenamed')).toHaveLength(users.length);
});
