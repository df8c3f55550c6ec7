import type { MSKEvent, MSKRecord, SelfManagedKafkaEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { buildKafkaEvent, toLambdaRecord } from '../../../plugins/serverless-offline-kafka/kafka-event.js';
import {
  producerTraceparents,
  recordsFromKafkaEvent,
  type KafkaLambdaEvent,
} from '../../../lib/projection/kafka-event.js';

/** The example event of AWS's "Using Lambda with Amazon MSK" page. */
const awsExample = JSON.parse(
  readFileSync(new URL('../../fixtures/msk-event.aws-docs.json', import.meta.url), 'utf8'),
) as MSKEvent;

const consumed = {
  topic: 'mytopic',
  partition: 0,
  offset: '15',
  timestamp: '1545084650987',
  key: Buffer.from('recordKey'),
  value: Buffer.from('{"key":"value"}'),
  headers: { headerKey: Buffer.from('headerValue') },
};

describe('offline Kafka event builder', () => {
  it('builds exactly the event AWS documents for the same record', () => {
    const event = buildKafkaEvent(
      {
        eventSource: 'aws:kafka',
        eventSourceArn: awsExample.eventSourceArn,
        bootstrapServers: awsExample.bootstrapServers,
      },
      [consumed],
    );
    expect(event).toEqual(awsExample);
  });

  it('its records have exactly the fields of MSKRecord in @types/aws-lambda, with the same types', () => {
    // Compile-time: the two key sets are equal (tsc fails otherwise).
    type Built = ReturnType<typeof toLambdaRecord>;
    const sameKeys: [keyof Built] extends [keyof MSKRecord]
      ? [keyof MSKRecord] extends [keyof Built]
        ? true
        : false
      : false = true;
    expect(sameKeys).toBe(true);
    const built = toLambdaRecord(consumed);
    const documented = awsExample.records['mytopic-0']![0]!;
    for (const field of Object.keys(documented) as Array<keyof MSKRecord>) {
      expect([field, typeof built[field]]).toEqual([field, typeof documented[field]]);
    }
    const selfManaged = buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' }, [
      consumed,
    ]);
    const source: MSKEvent['eventSource'] | SelfManagedKafkaEvent['eventSource'] = selfManaged.eventSource;
    expect(source).toBe('SelfManagedKafka');
    expect(selfManaged).not.toHaveProperty('eventSourceArn');
  });

  it('groups records by topic-partition and keeps offset order inside each group', () => {
    const event = buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' }, [
      { ...consumed, partition: 1, offset: '7' },
      { ...consumed, partition: 0, offset: '3' },
      { ...consumed, partition: 1, offset: '8' },
    ]);
    expect(Object.keys(event.records)).toEqual(['mytopic-1', 'mytopic-0']);
    expect(event.records['mytopic-1']!.map((r) => r.offset)).toEqual([7, 8]);
  });

  it('a multi-valued header becomes one entry per value, as Lambda sends it', () => {
    const event = buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' }, [
      { ...consumed, headers: { h: [Buffer.from('a'), 'b'] } },
    ]);
    expect(event.records['mytopic-0']![0]!.headers).toEqual([{ h: [97] }, { h: [98] }]);
  });

  it('the projection reads back the records of the AWS example: base64 key and value, byte-array headers', () => {
    const [record] = recordsFromKafkaEvent(awsExample);
    expect(record).toEqual({
      topic: 'mytopic',
      partition: 0,
      offset: '15',
      timestamp: 1545084650987,
      key: Buffer.from('recordKey'),
      value: Buffer.from('{"key":"value"}'),
      headers: { headerKey: 'headerValue' },
    });
  });

  it('a batch links to each distinct producer once, at most the limit, the first ones in delivery order', () => {
    const traceparent = (n: number) => `00-${String(n).padStart(32, '0')}-${'1'.repeat(16)}-01`;
    const records = [1, 2, 1, 3, 4].map((n, i) => ({
      ...consumed,
      offset: String(i),
      headers: { 'event-type': 'UserRegistered', traceparent: traceparent(n) },
    }));
    const untraced = { ...consumed, offset: '9', headers: { 'event-type': 'UserRegistered' } };
    const eventOf = (rs: Parameters<typeof buildKafkaEvent>[1]) =>
      buildKafkaEvent(
        { eventSource: 'SelfManagedKafka', bootstrapServers: 'h:9092' },
        rs,
      ) as KafkaLambdaEvent;
    const event = eventOf([...records, untraced]);
    expect(producerTraceparents(event, 128)).toEqual([1, 2, 3, 4].map(traceparent));
    expect(producerTraceparents(event, 2)).toEqual([1, 2].map(traceparent));
    expect(producerTraceparents(eventOf([untraced]), 128)).toEqual([]);
  });
});
