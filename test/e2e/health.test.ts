/**
 * GET /health through sls offline shows what the read model holds back: events parked behind a
 * gap (count, oldest age) and dead letters (count, newest), and turns degraded, naming the cause,
 * while an event has been parked longer than HEALTH_PARKED_MAX_AGE_MS.
 */
import { randomUUID } from 'node:crypto';
import { createProducer } from '../../lib/kafka/client.js';
import type { KafkaProducer } from '../../lib/kafka/ports.js';
import { kafkaConfig } from '../support/env.js';
import { eventually, startOffline, type OfflineServer } from '../support/offline.js';
import { userStream } from '../support/records.js';

let server: OfflineServer;
let producer: KafkaProducer;

beforeAll(async () => {
  server = await startOffline({
    httpPort: 3120,
    lambdaPort: 3122,
    consumerGroup: `health-${randomUUID()}`,
    env: { HEALTH_PARKED_MAX_AGE_MS: '1000' },
  });
  producer = await createProducer(kafkaConfig, { quiet: true });
  await producer.connect();
}, 120000);

afterAll(async () => {
  await producer?.disconnect();
  await server?.stop();
});

const health = async () => {
  const res = await fetch(`${server.url}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const send = (values: Array<{ key: string; value: string }>) =>
  producer.send({ topic: kafkaConfig.topic, messages: values });

describe('GET /health and what the read model holds back', () => {
  it('a parked event shows, turns health degraded once older than the threshold, and clears when its gap fills', async () => {
    const stream = userStream(randomUUID(), 2);
    const [v1, v2, v3] = stream.map((e) => ({ key: e.streamId, value: JSON.stringify(e) }));
    await send([v3!]);
    const parked = await eventually(async () => {
      const h = await health();
      return h.body.readModel?.parked?.count === 1 ? h : undefined;
    });
    expect(parked.body.readModel.parked.oldestAgeMs).toEqual(expect.any(Number));
    const degraded = await eventually(async () => {
      const h = await health();
      return h.body.status === 'degraded' ? h : undefined;
    });
    expect(degraded.status).toBe(503);
    expect(degraded.body.problems).toEqual([expect.stringMatching(/parked for \d+ s/)]);
    await send([v1!, v2!]);
    const healed = await eventually(async () => {
      const h = await health();
      return h.body.status === 'ok' ? h : undefined;
    });
    expect(healed.status).toBe(200);
    expect(healed.body.readModel.parked).toEqual({ count: 0, oldestAgeMs: 0 });
  });

  it('a dead letter shows with the time of the newest, and does not make health degraded', async () => {
    const before = (await health()).body.readModel.deadLetters.count as number;
    await send([{ key: randomUUID(), value: '{not json' }]);
    const after = await eventually(async () => {
      const h = await health();
      return h.body.readModel.deadLetters.count === before + 1 ? h : undefined;
    });
    expect(after.body.status).toBe('ok');
    expect(Date.parse(after.body.readModel.deadLetters.newestAt)).toBeGreaterThan(Date.now() - 60000);
  });
});
