import {
  FAILURE_HEADERS,
  describeRecords,
  invocationRecord,
  kafkaFailureMessages,
} from '../../../plugins/serverless-offline-kafka/on-failure.js';
import type { Discard } from '../../../plugins/serverless-offline-kafka/on-failure.js';

const context = {
  eventSource: 'aws:kafka' as const,
  eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/x',
  bootstrapServers: '127.0.0.1:9092',
  functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:cqrs-es-local-projection',
};
const record = (offset: string, timestamp: string, partition = 0) => ({
  topic: 'user-events',
  partition,
  offset,
  timestamp,
  key: Buffer.from(`k${offset}`),
  value: Buffer.from(`v${offset}`),
  headers: { h: Buffer.from('x') },
});
const discard: Discard = {
  records: [record('7', '1700000000000'), record('8', '1700000001000')],
  condition: 'RetryAttemptsExhausted',
  invokeCount: 3,
  error: new Error('database unreachable'),
};
const now = new Date('2025-06-01T12:00:00.000Z');

describe('offline Kafka on-failure records', () => {
  it('an SQS or SNS destination gets the invocation record AWS documents: metadata and offsets, no records', () => {
    const sent = invocationRecord(discard, context, { now });
    expect(sent).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: context.functionArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-06-01T12:00:00.000Z',
      KafkaBatchInfo: {
        batchSize: 2,
        eventSourceArn: context.eventSourceArn,
        bootstrapServers: '127.0.0.1:9092',
        payloadSize: expect.any(Number),
        recordsInfo: {
          'user-events-0': {
            firstRecordOffset: '7',
            lastRecordOffset: '8',
            firstRecordTimestamp: '2023-11-14T22:13:20.000Z',
            lastRecordTimestamp: '2023-11-14T22:13:21.000Z',
          },
        },
      },
    });
    expect(JSON.stringify(sent)).not.toContain(Buffer.from('v7').toString('base64'));
  });

  it('an S3 destination gets the same with the whole event as a JSON string in payload', () => {
    const sent = invocationRecord(discard, context, { now, withPayload: true });
    const event = JSON.parse(sent.payload!);
    expect(event.records['user-events-0'].map((r: { offset: number }) => r.offset)).toEqual([7, 8]);
    expect(sent.KafkaBatchInfo.payloadSize).toBe(Buffer.byteLength(sent.payload!));
  });

  it('records discarded for their age before any invocation have no response context', () => {
    const sent = invocationRecord({ ...discard, condition: 'RecordAgeExceeded', invokeCount: 0 }, context, {
      now,
    });
    expect(sent.requestContext.condition).toBe('RecordAgeExceeded');
    expect(sent.responseContext).toBeNull();
  });

  it('a Kafka destination gets one message per record, keyed as the record, with its event in payload and headers naming where it came from and why', () => {
    const messages = kafkaFailureMessages(discard, context, { now });
    expect(messages).toHaveLength(2);
    const [first] = messages;
    expect(first!.key).toEqual(Buffer.from('k7'));
    expect(first!.headers).toEqual({
      [FAILURE_HEADERS.topic]: 'user-events',
      [FAILURE_HEADERS.partition]: '0',
      [FAILURE_HEADERS.offset]: '7',
      [FAILURE_HEADERS.error]: 'database unreachable',
    });
    const value = JSON.parse(first!.value);
    expect(value.KafkaBatchInfo).toEqual({
      batchSize: 1,
      eventSourceArn: context.eventSourceArn,
      bootstrapServers: '127.0.0.1:9092',
      payloadSize: Buffer.byteLength(JSON.stringify(value.payload)),
      recordInfo: { offset: '7', timestamp: '2023-11-14T22:13:20.000Z' },
    });
    expect(value.payload).toMatchObject({
      eventSource: 'aws:kafka',
      records: { 'user-events-0': [{ offset: 7, value: Buffer.from('v7').toString('base64') }] },
    });
    expect(value.requestContext.condition).toBe('RetryAttemptsExhausted');
  });

  it('describes records by topic-partition and offsets', () => {
    expect(describeRecords(discard.records)).toBe('user-events-0 offsets 7-8');
    expect(describeRecords(discard.records.slice(0, 1))).toBe('user-events-0 offset 7');
  });
});
