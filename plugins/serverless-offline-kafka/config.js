// @ts-check
/**
 * Reads the Kafka event sources declared in serverless.yml (`msk` and `kafka` events) and the
 * plugin's settings under `custom.offline-kafka`.
 */

/**
 * @typedef {object} SourceDefinition
 * @property {string} functionKey
 * @property {'aws:kafka' | 'SelfManagedKafka'} eventSource
 * @property {string | undefined} eventSourceArn
 * @property {string} topic
 * @property {string} groupId
 * @property {number} batchSize
 * @property {number} batchingWindowMs
 * @property {boolean} fromBeginning
 * @property {number} maximumRetryAttempts  -1 retries until success, as Lambda does by default
 * @property {boolean} enabled
 */

/**
 * @param {any} service  serverless.service
 * @param {Record<string, any>} settings  custom.offline-kafka
 * @returns {SourceDefinition[]}
 */
export function readSources(service, settings) {
  /** @type {SourceDefinition[]} */
  const sources = [];
  for (const functionKey of service.getAllFunctions()) {
    const fn = service.getFunction(functionKey);
    for (const event of fn.events ?? []) {
      const msk = event.msk;
      const kafka = event.kafka;
      const def = msk ?? kafka;
      if (!def) continue;
      const batchSize = Number(def.batchSize ?? 100);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
        throw new Error(`offline-kafka: ${functionKey}: batchSize must be 1-10000, got ${def.batchSize}`);
      }
      const windowSeconds = Number(def.maximumBatchingWindow ?? (msk ? 0.5 : 0.5));
      sources.push({
        functionKey,
        eventSource: msk ? 'aws:kafka' : 'SelfManagedKafka',
        eventSourceArn: msk ? String(def.arn ?? '') : undefined,
        topic: String(def.topic),
        groupId: String(
          def.consumerGroupId ?? settings.consumerGroupId ?? `${service.service}-${functionKey}`,
        ),
        batchSize,
        batchingWindowMs: Math.max(0, Math.round(windowSeconds * 1000)),
        fromBeginning: String(def.startingPosition ?? 'TRIM_HORIZON').toUpperCase() !== 'LATEST',
        maximumRetryAttempts: Number(settings.maximumRetryAttempts ?? -1),
        enabled: def.enabled !== false,
      });
    }
  }
  return sources;
}

/**
 * The brokers to consume: `custom.offline-kafka.brokers`, else KAFKA_BROKERS, else the local
 * broker's port (KAFKA_PORT, as `npm run infra:up` uses it).
 * @param {Record<string, any>} settings
 * @returns {string[]}
 */
export function readBrokers(settings) {
  const list = String(
    settings.brokers ?? process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`,
  );
  return list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
