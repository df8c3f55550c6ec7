/**
 * One trace from the HTTP request to the read model: a command sent with a W3C `traceparent`
 * through `sls offline` produces a Kafka message whose `traceparent` header carries the same
 * trace id, the projection's log line names it, and the exported spans (OTLP JSON) hold the
 * command's and the publish's spans in that trace and the projection's batch span linked to it. An event that went
 * through the outbox relay keeps its command's trace.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registry } from '../../aggregates/index.js';
import { closeCommandDeps } from '../../lib/commands/deps.js';
import { closePools } from '../../lib/db/pool.js';
import { createConsumer } from '../../lib/kafka/client.js';
import { invoke } from '../support/apigw.js';
import { commandWithBrokerDown, relayPass } from '../support/broker-down.js';
import { kafkaConfig, rolePool } from '../support/env.js';
import { eventually, requestJson, startOffline, type OfflineServer } from '../support/offline.js';

const spansFile = path.join(os.tmpdir(), `cqrs-spans-${randomBytes(4).toString('hex')}.jsonl`);
const relayPool = rolePool('relay');
let server: OfflineServer;

beforeAll(async () => {
  server = await startOffline({
    httpPort: 3160,
    lambdaPort: 3162,
    consumerGroup: `tracing-${randomUUID()}`,
    env: { TRACES_FILE: spansFile, LOG_LEVEL: 'info' },
  });
}, 150000);

afterAll(async () => {
  await server?.stop();
  await closeCommandDeps();
  await closePools();
  await relayPool.end();
  await rm(spansFile, { force: true });
});

const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
};

/** The `traceparent` header of the message that carries this stream's first event. */
async function messageTraceparent(streamId: string): Promise<string | undefined> {
  let found: string | undefined;
  const consumer = await createConsumer(
    kafkaConfig,
    { groupId: `tracing-read-${randomUUID()}` },
    { quiet: true },
  );
  await consumer.connect();
  await consumer.subscribe({ topic: kafkaConfig.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (message) => {
      if (message.key?.toString() === streamId) found ??= String(message.headers.traceparent ?? '');
    },
  });
  try {
    return await eventually(async () => found, 20000, `the message of ${streamId}`);
  } finally {
    await consumer.disconnect();
  }
}

interface ExportedSpan {
  traceId: string;
  name: string;
  links?: Array<{ traceId: string }>;
}

async function exportedSpans(): Promise<ExportedSpan[]> {
  const text = await readFile(spansFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const request = JSON.parse(line) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }>;
      };
      return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    });
}

describe('one trace from the HTTP request to the read model', () => {
  it('the Kafka message, the projection log line and the exported spans carry the trace id the command was sent with', async () => {
    const { traceId, header } = traceparent();
    const created = await requestJson(
      server.url,
      'POST',
      '/users',
      { name: 'Traced' },
      { traceparent: header },
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    expect((await messageTraceparent(id))?.split('-')[1]).toBe(traceId);
    await eventually(async () => {
      const res = await requestJson(server.url, 'GET', `/users/${id}`);
      return res.status === 200 ? res : undefined;
    });
    const batchLine = await eventually(
      async () =>
        server
          .output()
          .split('\n')
          .find((line) => line.includes('"projection-batch"') && line.includes(traceId)),
      10000,
      'a projection-batch log line naming the trace',
    );
    expect(JSON.parse(batchLine.slice(batchLine.indexOf('{'))).traceIds).toContain(traceId);

    const spans = await eventually(
      async () => {
        const all = await exportedSpans();
        const linked = all.some(
          (s) => s.name.startsWith('process ') && s.links?.some((l) => l.traceId === traceId),
        );
        return linked ? all : undefined;
      },
      15000,
      "the projection's batch span linked to the trace",
    );
    expect(spans.filter((s) => s.traceId === traceId).map((s) => s.name)).toEqual(
      expect.arrayContaining(['POST /{collection}', 'append registerUser', 'send']),
    );
  });

  it('an event published by the relay keeps the trace of the command that stored it', async () => {
    const offline = commandWithBrokerDown(registry);
    const { traceId, header } = traceparent();
    try {
      const created = await invoke(offline.handler, {
        method: 'POST',
        path: '/users',
        body: { name: 'Traced through the relay' },
        headers: { traceparent: header },
      });
      expect(created.statusCode).toBe(201);
      await relayPass(relayPool);
      expect((await messageTraceparent(created.body.id as string))?.split('-')[1]).toBe(traceId);
    } finally {
      await offline.close();
    }
  });
});
