/**
 * Issue item 4: the project's producer (KafkaEventBus: idempotent, acks=all) against Kafka's
 * own ProducerPerformance tool with the same acks and record size, on a topic of its own (its random payloads are no events).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { KafkaEventBus } from '../../lib/bus/kafka.js';
import { toMessage } from '../../lib/bus/envelope.js';
import { readKafkaConfig } from '../../lib/config.js';
import type { StoredEvent } from '../../lib/eventstore/types.js';
import { KAFKA_JARS_DIR } from '../../infra/paths.js';
import { closedLoop } from '../support/load.js';
import { registrationBatch } from './projection.js';

const run = promisify(execFile);

/** Events as the command function publishes them, and their mean value size in bytes. */
export function sampleEvents(count: number): { events: StoredEvent[]; recordBytes: number } {
  const { events } = registrationBatch('sample', count);
  const bytes = events.reduce((n, e) => n + Buffer.byteLength(toMessage(e).value), 0);
  return { events, recordBytes: Math.round(bytes / count) };
}

/** Kafka's ProducerPerformance: records/s for `records` records of `recordBytes`, acks=all, idempotent. */
export async function kafkaProducerPerf(
  topic: string,
  records: number,
  recordBytes: number,
): Promise<number> {
  const cfg = readKafkaConfig(process.env);
  const { stdout } = await run(
    'java',
    [
      '-cp',
      path.join(KAFKA_JARS_DIR, '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordBytes),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${cfg.brokers.join(',')}`,
      'acks=all',
      'enable.idempotence=true',
      'max.block.ms=20000',
    ],
    { timeout: 180000, maxBuffer: 10 * 1024 * 1024 },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  const match = /records sent, ([\d.]+) records\/sec/.exec(last);
  if (!match) throw new Error(`ProducerPerformance printed no summary: ${stdout.slice(-500)}`);
  return Number(match[1]);
}

/**
 * Our producer, records/s: `perCall` events per publish() with `concurrency` callers (the relay
 * publishes arrays; commands publish one or two events each, many at a time).
 */
export async function ourProducer(
  bus: KafkaEventBus,
  events: StoredEvent[],
  perCall: number,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const calls = Math.floor(events.length / perCall);
  const result = await closedLoop({
    concurrency,
    durationMs,
    maxOps: calls,
    op: (i) => bus.publish(events.slice(i * perCall, (i + 1) * perCall)),
  });
  if (result.errors) throw new Error(`publish failed: ${result.firstError}`);
  return (result.ops * perCall * 1000) / result.elapsedMs;
}

export const newBus = (topic: string) => new KafkaEventBus({ ...readKafkaConfig(process.env), topic });
