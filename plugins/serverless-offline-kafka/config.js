// @ts-check
/**
 * Reads the Kafka event sources of a service (`msk` and `kafka` events, with the properties the
 * template deploys their mappings with) and the plugin's settings under `custom.offline-kafka`.
 */
import path from 'node:path';
import { mappingOf, mskClusterNameToken, standInExtension, unmatchedExtensions } from './mapping.js';
import { failurePolicy, present } from './policy.js';

/** @typedef {import('./policy.js').FailurePolicy} FailurePolicy */
/** @typedef {import('./mapping.js').Naming} Naming */

/**
 * @typedef {object} SourceDefinition
 * @property {string} functionKey
 * @property {string} [functionArn]  for the invocation records of an on-failure destination
 * @property {'aws:kafka' | 'SelfManagedKafka'} eventSource
 * @property {string | undefined} eventSourceArn
 * @property {string} topic
 * @property {string} groupId
 * @property {number} batchSize
 * @property {number} batchingWindowMs
 * @property {boolean} fromBeginning
 * @property {boolean} enabled
 * @property {FailurePolicy} policy
 */

/** `custom.offline-kafka`, for `serverless.configSchemaHandler.defineCustomProperties`. */
export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    brokers: {
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    },
    stateDir: { type: 'string' },
  },
  additionalProperties: false,
};

/** Mapping properties that change what Lambda delivers, which the emulator does not do. */
const NOT_EMULATED = {
  FilterCriteria: 'every record is delivered, filtered or not',
  FunctionResponseTypes: 'a partial batch response counts as success',
};

/**
 * @param {Record<string, any>} properties
 * @param {string} key  AmazonManagedKafkaEventSourceConfig or SelfManagedKafkaEventSourceConfig
 * @returns {string | undefined}
 */
const consumerGroupOf = (properties, key) => {
  const group = present(/** @type {any} */ (present(properties[key]))?.ConsumerGroupId);
  return group === undefined ? undefined : String(group);
};

/**
 * The MSK cluster ARN the event carries; one only CloudFormation resolves (a Ref) gets a stand-in.
 * @param {unknown} arn
 * @param {string} region
 */
const clusterArn = (arn, region) =>
  typeof arn === 'string'
    ? arn
    : `arn:aws:kafka:${region}:000000000000:cluster/${mskClusterNameToken(arn)}/offline`;

/**
 * @param {any} service  serverless.service
 * @param {object} params
 * @param {Naming} params.naming  serverless.getProvider('aws').naming
 * @returns {{ sources: SourceDefinition[], warnings: string[] }}
 */
export function readSources(service, { naming }) {
  /** @type {SourceDefinition[]} */
  const sources = [];
  /** @type {string[]} */
  const warnings = [];
  const extensions = service.resources?.extensions;
  const resources = service.resources?.Resources;
  for (const functionKey of service.getAllFunctions()) {
    const fn = service.getFunction(functionKey);
    /** @type {string[]} */
    const logicalIds = [];
    const kafkaEvents = (fn.events ?? []).filter((/** @type {any} */ e) => e.msk || e.kafka).length;
    const standIn = standInExtension({ functionKey, kafkaEvents, naming, extensions });
    for (const event of fn.events ?? []) {
      const mapping = mappingOf({ functionKey, event, naming, extensions, standIn });
      if (!mapping) continue;
      logicalIds.push(mapping.logicalId);
      const p = mapping.properties;
      const where = `offline-kafka: ${functionKey} (${mapping.logicalId})`;
      const batchSize = Number(present(p.BatchSize) ?? 100);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
        throw new Error(`${where}: BatchSize must be 1-10000, got ${p.BatchSize}`);
      }
      const windowSeconds = Number(present(p.MaximumBatchingWindowInSeconds) ?? 0.5);
      const topics = present(p.Topics);
      const topic = String(Array.isArray(topics) && topics.length ? topics[0] : event[mapping.type].topic);
      /** @type {FailurePolicy} */
      let policy;
      try {
        policy = failurePolicy(p, { resources, sourceTopics: [topic] });
      } catch (error) {
        throw new Error(`${where}: ${/** @type {Error} */ (error).message}`);
      }
      for (const [property, consequence] of Object.entries(NOT_EMULATED)) {
        if (present(p[property]) !== undefined) {
          warnings.push(`${where}: ${property} is not emulated: ${consequence}`);
        }
      }
      const msk = mapping.type === 'msk';
      const region = service.provider?.region ?? 'us-east-1';
      sources.push({
        functionKey,
        functionArn: `arn:aws:lambda:${region}:000000000000:function:${fn.name ?? functionKey}`,
        eventSource: msk ? 'aws:kafka' : 'SelfManagedKafka',
        eventSourceArn: msk ? clusterArn(present(p.EventSourceArn), region) : undefined,
        topic,
        groupId:
          consumerGroupOf(
            p,
            msk ? 'AmazonManagedKafkaEventSourceConfig' : 'SelfManagedKafkaEventSourceConfig',
          ) ?? `${service.service}-${functionKey}`,
        batchSize,
        batchingWindowMs: Math.max(0, Math.round(windowSeconds * 1000)),
        fromBeginning: String(present(p.StartingPosition) ?? 'TRIM_HORIZON').toUpperCase() !== 'LATEST',
        enabled: present(p.Enabled) !== false && present(p.Enabled) !== 'false',
        policy,
      });
    }
    for (const id of unmatchedExtensions({ functionKey, logicalIds, naming, extensions, standIn })) {
      warnings.push(
        `offline-kafka: resources.extensions.${id} extends no mapping of this stage ` +
          `(${functionKey}'s here: ${logicalIds.join(', ') || 'none'}); its properties do not apply locally`,
      );
    }
  }
  return { sources, warnings };
}

/**
 * The brokers to consume: `custom.offline-kafka.brokers`, else KAFKA_BROKERS, else the local
 * broker's port (KAFKA_PORT, as `npm run infra:up` uses it).
 * @param {Record<string, any>} settings
 * @returns {string[]}
 */
export function readBrokers(settings) {
  const list =
    settings.brokers ?? process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  return (Array.isArray(list) ? list : String(list).split(',')).map((b) => String(b).trim()).filter(Boolean);
}

/**
 * Where invocation records for SQS, SNS and S3 destinations go, there being none of those
 * locally: `<stateDir>/offline-kafka/on-failure/`, stateDir relative to the service directory.
 * @param {Record<string, any>} settings
 * @param {string} serviceDir
 */
export function onFailureDir(settings, serviceDir) {
  return path.resolve(serviceDir, String(settings.stateDir || '.local'), 'offline-kafka', 'on-failure');
}
