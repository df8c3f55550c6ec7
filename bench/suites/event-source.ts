/**
 * The offline plugin's Kafka event source run in this process, invoking the projection handler
 * directly: the same consumer, batching and commit rules as under `sls offline`, without its
 * worker threads. Used to tell the pipeline's own freshness from the emulator's overhead.
 */
import { readKafkaConfig } from '../../lib/config.js';
import { kafkaClient } from '../../plugins/serverless-offline-kafka/client.js';
import { KafkaEventSource } from '../../plugins/serverless-offline-kafka/event-source.js';
import { failurePolicy } from '../../plugins/serverless-offline-kafka/policy.js';

export async function inProcessEventSource(
  topic: string,
  groupId: string,
  invoke: (event: unknown) => Promise<unknown>,
): Promise<{ stop: () => Promise<void> }> {
  const cfg = readKafkaConfig(process.env);
  const kafka = kafkaClient({ brokers: cfg.brokers, clientId: 'bench-event-source' });
  let consuming: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (consuming = resolve));
  const quiet = () => undefined;
  const source = new KafkaEventSource({
    source: {
      functionKey: 'projection',
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:local',
      topic,
      groupId,
      batchSize: 100,
      batchingWindowMs: 0,
      fromBeginning: true,
      policy: failurePolicy({}),
      enabled: true,
    },
    kafka,
    bootstrapServers: cfg.brokers.join(','),
    invoke: (_key, event) => invoke(event),
    log: {
      notice: (message) => (/: consuming$/.test(message) ? consuming() : undefined),
      warning: quiet,
      error: quiet,
    },
  });
  void source.start();
  await ready;
  return { stop: () => source.stop() };
}
