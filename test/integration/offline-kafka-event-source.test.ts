/**
 * The offline Kafka event source against the real broker: Lambda's delivery rules, emulated.
 */
import { jest } from '@jest/globals';
import { kafkaClient } from '../../plugins/serverless-offline-kafka/client.js';
import { KafkaEventSource } from '../../plugins/serverless-offline-kafka/event-source.js';
import type { SourceDefinition } from '../../plugins/serverless-offline-kafka/config.js';
import { createProducer } from '../../lib/kafka/client.js';
import { recordsFromKafkaEvent } from '../../lib/projection/kafka-event.js';
import type { KafkaLambdaEvent } from '../../lib/projection/kafka-event.js';
import { kafkaConfig } from '../support/env.js';
import { eventually } from '../support/offline.js';
import { committedOffset, source, topicWith } from '../support/offline-kafka.js';
import { createTopic, deleteCreatedTopics } from '../support/topics.js';

const kafka = kafkaClient({ brokers: kafkaConfig.brokers, clientId: 'test' });
/** The broker's minimum (group.min.session.timeout.ms), so that expiring a member is quick. */
const SESSION_TIMEOUT_MS = 6000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const blockEventLoop = (ms: number): void =>
  void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const quietLog = { notice: () => undefined, warning: jest.fn(), error: jest.fn() };

afterAll(deleteCreatedTopics);

describe('offline Kafka event source', () => {
  it('delivers every record in Lambda-shaped batches of at most batchSize, in offset order', async () => {
    const topic = await topicWith(5);
    const events: KafkaLambdaEvent[] = [];
    const def = source(topic);
    const es = new KafkaEventSource({
      source: def,
      kafka,
      bootstrapServers: kafkaConfig.brokers.join(','),
      invoke: async (_fn, event) => void events.push(event as KafkaLambdaEvent),
      log: quietLog,
    });
    await es.start();
    await eventually(async () =>
      events.flatMap((e) => recordsFromKafkaEvent(e)).length >= 5 ? true : undefined,
    );
    await eventually(async () => ((await committedOffset(def.groupId, topic)) === 5 ? true : undefined));
    await es.stop();
    const records = events.flatMap((e) => recordsFromKafkaEvent(e));
    expect(records.map((r) => r.value?.toString())).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(records.map((r) => r.headers.n)).toEqual(['0', '1', '2', '3', '4']);
    expect(events.every((e) => Object.values(e.records).flat().length <= 2)).toBe(true);
    expect(events[0]).toMatchObject({ eventSource: 'aws:kafka', eventSourceArn: def.eventSourceArn });
  });

  it('retries a failing batch with the same records and commits its offsets only after it succeeds', async () => {
    const topic = await topicWith(2);
    const def = source(topic, { batchSize: 10 });
    const attempts: string[][] = [];
    let failuresLeft = 2;
    const es = new KafkaEventSource({
      source: def,
      kafka,
      bootstrapServers: kafkaConfig.brokers.join(','),
      invoke: async (_fn, event) => {
        attempts.push(recordsFromKafkaEvent(event as KafkaLambdaEvent).map((r) => r.offset));
        if (failuresLeft-- > 0) throw new Error('database unreachable');
      },
      log: quietLog,
    });
    await es.start();
    await eventually(async () => (attempts.length >= 1 ? true : undefined));
    expect(await committedOffset(def.groupId, topic)).toBe(-1);
    await eventually(
      async () => ((await committedOffset(def.groupId, topic)) === 2 ? true : undefined),
      15000,
    );
    await es.stop();
    expect(attempts).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(quietLog.warning).toHaveBeenCalledWith(
      expect.stringMatching(/failed \(database unreachable\); retry 1/),
    );
  });

  /** An event source on a short session whose function takes `slowly` on its first delivery. */
  function withSlowFirstDelivery(def: SourceDefinition, slowly: () => Promise<unknown> | void) {
    const warnings: string[] = [];
    const deliveries: string[][] = [];
    const es = new KafkaEventSource({
      source: def,
      kafka,
      bootstrapServers: kafkaConfig.brokers.join(','),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      invoke: async (_fn, event) => {
        deliveries.push(recordsFromKafkaEvent(event as KafkaLambdaEvent).map((r) => r.offset));
        if (deliveries.length === 1) await slowly();
      },
      log: { ...quietLog, warning: (m: string) => void warnings.push(m) },
    });
    return { es, warnings, deliveries };
  }

  const committedUpTo = (def: SourceDefinition, topic: string, offset: number) =>
    eventually(
      async () => ((await committedOffset(def.groupId, topic)) === offset ? true : undefined),
      30000,
    );

  it('keeps the consumer in its group while a batch takes longer than the session timeout: delivered once, committed after', async () => {
    const topic = await topicWith(3);
    const def = source(topic, { batchSize: 10 });
    const { es, warnings, deliveries } = withSlowFirstDelivery(def, () => sleep(SESSION_TIMEOUT_MS * 1.5));
    await es.start();
    await committedUpTo(def, topic, 3);
    await es.stop();
    expect(deliveries).toEqual([['0', '1', '2']]);
    expect(warnings).toEqual([]);
  });

  it('replaces a consumer that kafkajs gave up on (its group forgot it while the event loop was blocked) and delivers the uncommitted batch again', async () => {
    const topic = await topicWith(2);
    const def = source(topic, { batchSize: 10 });
    // A handler run in this process that never yields: no timer fires, not even the heartbeat,
    // so the group expires the member and refuses the batch's offset commit.
    const { es, warnings, deliveries } = withSlowFirstDelivery(def, () =>
      blockEventLoop(SESSION_TIMEOUT_MS * 1.5),
    );
    await es.start();
    await committedUpTo(def, topic, 2);
    const producer = await createProducer(kafkaConfig, { quiet: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k2', value: 'v2' }] });
    await producer.disconnect();
    await committedUpTo(def, topic, 3);
    await es.stop();
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /consumer stopped on an error it does not retry \(.*not aware of this member\); starting a new one/,
      ),
    );
    expect(deliveries).toEqual([['0', '1'], ['0', '1'], ['2']]);
  });

  it('starts without a broker, says so, and keeps trying until stopped', async () => {
    const warnings: string[] = [];
    const es = new KafkaEventSource({
      source: source('nowhere'),
      kafka: kafkaClient({ brokers: ['127.0.0.1:1'], clientId: 'test', retries: 0 }),
      bootstrapServers: '127.0.0.1:1',
      invoke: async () => undefined,
      log: { ...quietLog, warning: (m: string) => void warnings.push(m) },
    });
    const running = es.start();
    await eventually(async () => (warnings.length > 0 ? true : undefined), 10000);
    expect(warnings[0]).toMatch(/broker not reachable at 127\.0\.0\.1:1 .*retrying in/);
    await es.stop();
    await running;
  });

  it('counts the partitions of a topic, whose environments start before sls offline serves; none for a topic or broker it cannot reach', async () => {
    const topic = await createTopic('plugin', 3);
    expect(await kafka.partitionCount(topic)).toBe(3);
    expect(await kafka.partitionCount(`missing-${topic}`)).toBeUndefined();
    const nowhere = kafkaClient({ brokers: ['127.0.0.1:1'], clientId: 'test', retries: 0 });
    expect(await nowhere.partitionCount(topic)).toBeUndefined();
  });
});
