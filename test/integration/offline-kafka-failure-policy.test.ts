/**
 * The offline Kafka event source against the real broker: what it does with a batch the function
 * fails on, under the failure policy of the event source mapping (retries, record age, bisection,
 * on-failure destination), as Lambda does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConsumer } from '../../lib/kafka/client.js';
import type { IncomingMessage } from '../../lib/kafka/ports.js';
import { kafkaClient } from '../../plugins/serverless-offline-kafka/client.js';
import { KafkaEventSource } from '../../plugins/serverless-offline-kafka/event-source.js';
import type { SourceDefinition } from '../../plugins/serverless-offline-kafka/config.js';
import { FAILURE_HEADERS } from '../../plugins/serverless-offline-kafka/on-failure.js';
import { failurePolicy } from '../../plugins/serverless-offline-kafka/policy.js';
import { recordsFromKafkaEvent } from '../../lib/projection/kafka-event.js';
import type { KafkaLambdaEvent } from '../../lib/projection/kafka-event.js';
import { kafkaConfig } from '../support/env.js';
import { eventually } from '../support/offline.js';
import { committedOffset, produce, source, topicWith } from '../support/offline-kafka.js';
import { createTopic, deleteCreatedTopics } from '../support/topics.js';

const kafka = kafkaClient({ brokers: kafkaConfig.brokers, clientId: 'test' });
const onFailureDir = mkdtempSync(path.join(os.tmpdir(), 'offline-kafka-on-failure-'));
const SQS_QUEUE = 'arn:aws:sqs:eu-west-1:000000000000:projection-failures';

afterAll(async () => {
  await deleteCreatedTopics();
  rmSync(onFailureDir, { recursive: true, force: true });
});

const stopping: KafkaEventSource[] = [];
afterEach(async () => {
  await Promise.all(stopping.splice(0).map((es) => es.stop()));
});

/**
 * Runs an event source whose function fails while `fails(values)` says so for the values of the
 * batch it gets, recording the values of every invocation and every log line.
 */
function run(def: SourceDefinition, fails: (values: string[]) => boolean) {
  const invocations: string[][] = [];
  const logs: { warning: string[]; error: string[] } = { warning: [], error: [] };
  const es = new KafkaEventSource({
    source: def,
    kafka,
    bootstrapServers: kafkaConfig.brokers.join(','),
    onFailureDir,
    invoke: async (_fn, event) => {
      const values = recordsFromKafkaEvent(event as KafkaLambdaEvent).map((r) => r.value!.toString());
      invocations.push(values);
      if (fails(values)) throw new Error(`cannot apply ${values.join(',')}`);
    },
    log: {
      notice: () => undefined,
      warning: (m: string) => void logs.warning.push(m),
      error: (m: string) => void logs.error.push(m),
    },
  });
  stopping.push(es);
  void es.start();
  return { es, invocations, logs };
}

const committedUpTo = (def: SourceDefinition, offset: number, timeoutMs = 20000) =>
  eventually(
    async () => ((await committedOffset(def.groupId, def.topic)) === offset ? true : undefined),
    timeoutMs,
    `offset ${offset} committed`,
  );

/** Every message of `topic` from the beginning, once `count` arrived. */
async function consumeAll(topic: string, count: number): Promise<IncomingMessage[]> {
  const messages: IncomingMessage[] = [];
  const consumer = await createConsumer(kafkaConfig, { groupId: `test-${randomUUID()}` }, { quiet: true });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async (message) => void messages.push(message) });
  try {
    await eventually(async () => (messages.length >= count ? true : undefined), 20000, `${count} messages`);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const policy = (properties: Record<string, unknown>, topic?: string) =>
  failurePolicy(properties, { sourceTopics: topic ? [topic] : [] });

describe('offline Kafka event source failure policy', () => {
  it('given MaximumRetryAttempts 2, a failing batch is invoked 3 times, discarded, and the next record delivered', async () => {
    const topic = await topicWith(2);
    const def = source(topic, { batchSize: 1, policy: policy({ MaximumRetryAttempts: 2 }) });
    const { invocations, logs } = run(def, (values) => values.includes('v0'));
    await committedUpTo(def, 2);
    expect(invocations).toEqual([['v0'], ['v0'], ['v0'], ['v1']]);
    expect(logs.warning.filter((m) => /failed \(cannot apply v0\); retry \d/.test(m))).toHaveLength(2);
    expect(logs.error).toEqual([
      expect.stringMatching(
        /offsets? 0 discarded \(RetryAttemptsExhausted after 3 invocations: cannot apply v0\); no on-failure destination/,
      ),
    ]);
  });

  it('given MaximumRecordAgeInSeconds 60, a record older than that is discarded without an invocation', async () => {
    const topic = await createTopic('plugin', 1);
    await produce(topic, [
      { key: 'old', value: 'old', timestamp: String(Date.now() - 120_000) },
      { key: 'new', value: 'new' },
    ]);
    const def = source(topic, { batchSize: 10, policy: policy({ MaximumRecordAgeInSeconds: 60 }) });
    const { invocations, logs } = run(def, () => false);
    await committedUpTo(def, 2);
    expect(invocations).toEqual([['new']]);
    expect(logs.error).toEqual([expect.stringMatching(/offset 0 discarded \(RecordAgeExceeded\)/)]);
  });

  it('given BisectBatchOnFunctionError, the batch is halved until the failing record is alone; the others are delivered once', async () => {
    const topic = await topicWith(5);
    const def = source(topic, {
      batchSize: 10,
      policy: policy({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 }),
    });
    const { invocations, logs } = run(def, (values) => values.includes('v2'));
    await committedUpTo(def, 5);
    expect(invocations).toEqual([
      ['v0', 'v1', 'v2', 'v3', 'v4'],
      ['v0', 'v1', 'v2'],
      ['v0', 'v1'],
      ['v2'],
      ['v2'],
      ['v3', 'v4'],
    ]);
    expect(logs.warning.filter((m) => /retrying it in two halves/.test(m))).toHaveLength(2);
    expect(logs.error).toEqual([
      expect.stringMatching(/offset 2 discarded \(RetryAttemptsExhausted after 2/),
    ]);
  });

  it('given a kafka:// destination, the discarded records are produced to that topic with their event and where they came from', async () => {
    const topic = await topicWith(3);
    const failed = await createTopic('plugin-failed', 1);
    const def = source(topic, {
      batchSize: 2,
      policy: policy(
        { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: `kafka://${failed}` } } },
        topic,
      ),
    });
    const { invocations, logs } = run(def, (values) => values.includes('v0'));
    await committedUpTo(def, 3);
    expect(invocations).toEqual([['v0', 'v1'], ['v2']]);
    const messages = await consumeAll(failed, 2);
    expect(messages.map((m) => m.key?.toString())).toEqual(['k0', 'k1']);
    expect(messages.map((m) => m.headers?.[FAILURE_HEADERS.offset]?.toString())).toEqual(['0', '1']);
    expect(messages[0]!.headers?.[FAILURE_HEADERS.topic]?.toString()).toBe(topic);
    expect(messages[0]!.headers?.[FAILURE_HEADERS.partition]?.toString()).toBe('0');
    expect(messages[0]!.headers?.[FAILURE_HEADERS.error]?.toString()).toBe('cannot apply v0,v1');
    const value = JSON.parse(messages[0]!.value!.toString());
    expect(value.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
    });
    expect(recordsFromKafkaEvent(value.payload).map((r) => r.value?.toString())).toEqual(['v0']);
    expect(logs.warning).toContainEqual(expect.stringMatching(new RegExp(`sent to kafka://${failed}$`)));
  });

  it('given an SQS destination, which has no local service, its invocation record is appended as a JSON line to a file, and a warning names it', async () => {
    const topic = await topicWith(3);
    const def = source(topic, {
      functionKey: `projection-${randomUUID()}`,
      batchSize: 2,
      policy: policy({
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: SQS_QUEUE } },
      }),
    });
    const { es, logs } = run(def, (values) => values.includes('v1'));
    await committedUpTo(def, 3);
    const lines = readFileSync(es.onFailureFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      responseContext: { functionError: 'Unhandled' },
      version: '1.0',
      KafkaBatchInfo: {
        batchSize: 2,
        eventSourceArn: def.eventSourceArn,
        recordsInfo: { [`${topic}-0`]: { firstRecordOffset: '0', lastRecordOffset: '1' } },
      },
    });
    expect(record).not.toHaveProperty('payload');
    expect(es.onFailureFile).toBe(path.join(onFailureDir, `${def.functionKey}.jsonl`));
    expect(logs.warning).toContainEqual(
      expect.stringContaining(
        `${SQS_QUEUE} does not exist locally, appended its invocation record to ${es.onFailureFile}`,
      ),
    );
  });

  it('given infinite retries and no destination (AWS default), a failing batch is retried with nothing committed until it succeeds', async () => {
    const topic = await topicWith(1);
    const def = source(topic, { policy: policy({}) });
    let failing = true;
    const { invocations, logs } = run(def, () => failing);
    await eventually(async () => (invocations.length >= 4 ? true : undefined), 20000, '3 retries');
    expect(await committedOffset(def.groupId, topic)).toBe(-1);
    failing = false;
    await committedUpTo(def, 1);
    expect(invocations.every((values) => values.join() === 'v0')).toBe(true);
    expect(logs.error).toEqual([]);
  });
});
