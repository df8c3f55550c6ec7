// @ts-check
/**
 * The event source mapping a `msk` or `kafka` event deploys as: the properties of the
 * `AWS::Lambda::EventSourceMapping` the Framework generates from the event, with
 * `resources.extensions.<LogicalId>.Properties` assigned over them the way it merges extensions
 * at package time. Reading them here, rather than from settings of this plugin, keeps the local
 * mapping the one the template deploys.
 */

/**
 * The provider's naming helpers this module calls (`serverless.getProvider('aws').naming`).
 * @typedef {object} Naming
 * @property {(functionName: string, clusterName: string, topicName: string) => string} getMSKEventLogicalId
 * @property {(functionName: string, topicName: string) => string} getKafkaEventLogicalId
 * @property {(functionName: string) => string} getNormalizedFunctionName
 */

/**
 * @typedef {object} Mapping
 * @property {'msk' | 'kafka'} type
 * @property {string} logicalId
 * @property {Record<string, any>} properties
 */

/**
 * The cluster part of an MSK mapping's logical id, as the Framework takes it from the `arn`.
 * @param {unknown} arn
 */
export function mskClusterNameToken(arn) {
  if (arn && typeof arn === 'object') {
    const fn = /** @type {Record<string, unknown>} */ (arn);
    if (fn['Fn::ImportValue']) return String(fn['Fn::ImportValue']);
    if (fn.Ref) return String(fn.Ref);
  }
  return String(arn).split('/')[1] ?? '';
}

/**
 * What the Framework generates from the event. One difference: a `maximumBatchingWindow` of 0 is
 * kept, where the Framework leaves the property out (and Lambda then waits 500 ms).
 * @param {'msk' | 'kafka'} type
 * @param {Record<string, any>} def  the event's own properties
 */
function generatedProperties(type, def) {
  /** @type {Record<string, any>} */
  const p = {
    StartingPosition: def.startingPosition || 'TRIM_HORIZON',
    Topics: [def.topic],
  };
  if (type === 'msk') p.EventSourceArn = def.arn;
  else p.SelfManagedEventSource = { Endpoints: { KafkaBootstrapServers: def.bootstrapServers } };
  if (def.startingPositionTimestamp != null) p.StartingPositionTimestamp = def.startingPositionTimestamp;
  if (def.batchSize) p.BatchSize = def.batchSize;
  if (def.maximumBatchingWindow != null) p.MaximumBatchingWindowInSeconds = def.maximumBatchingWindow;
  if (def.enabled != null) p.Enabled = def.enabled;
  if (def.consumerGroupId) {
    p[type === 'msk' ? 'AmazonManagedKafkaEventSourceConfig' : 'SelfManagedKafkaEventSourceConfig'] = {
      ConsumerGroupId: def.consumerGroupId,
    };
  }
  if (def.filterPatterns) {
    p.FilterCriteria = {
      Filters: def.filterPatterns.map((/** @type {unknown} */ pattern) => ({
        Pattern: JSON.stringify(pattern),
      })),
    };
  }
  if (type === 'kafka' && def.onFailureDestination) {
    p.DestinationConfig = { OnFailure: { Destination: def.onFailureDestination } };
  }
  if (def.provisionedPollerConfig) {
    p.ProvisionedPollerConfig = {
      MinimumPollers: def.provisionedPollerConfig.minimumPollers,
      MaximumPollers: def.provisionedPollerConfig.maximumPollers,
    };
  }
  return p;
}

/**
 * @param {object} params
 * @param {string} params.functionKey
 * @param {{ msk?: Record<string, any>, kafka?: Record<string, any> }} params.event
 * @param {Naming} params.naming
 * @param {Record<string, any>} [params.extensions]  resources.extensions
 * @param {string} [params.standIn]  the extension to apply when none has this stage's logical id
 *   (see `standInExtension`)
 * @returns {Mapping | undefined} undefined for an event of another kind
 */
export function mappingOf({ functionKey, event, naming, extensions, standIn }) {
  const type = event.msk ? 'msk' : event.kafka ? 'kafka' : undefined;
  if (!type) return undefined;
  const def = /** @type {Record<string, any>} */ (event.msk ?? event.kafka);
  const logicalId =
    type === 'msk'
      ? naming.getMSKEventLogicalId(functionKey, mskClusterNameToken(def.arn), String(def.topic))
      : naming.getKafkaEventLogicalId(functionKey, String(def.topic));
  const properties = generatedProperties(type, def);
  const extensionId = extensions?.[logicalId] ? logicalId : standIn;
  Object.assign(properties, (extensionId && extensions?.[extensionId]?.Properties) ?? {});
  return { type, logicalId, properties };
}

/** @param {Naming} naming @param {string} functionKey */
const mappingPrefix = (naming, functionKey) =>
  `${naming.getNormalizedFunctionName(functionKey)}EventSourceMapping`;

/** @param {string} id @param {string} prefix */
const isKafkaMappingId = (id, prefix) => id.startsWith(`${prefix}MSK`) || id.startsWith(`${prefix}Kafka`);

/**
 * The logical id of a mapping is made of the cluster and topic names, which another stage may name
 * otherwise (the local stage's cluster ARN; a topic of its own for a test or the benchmark). A
 * function with one Kafka event and one extension of a Kafka mapping of that function gets that
 * extension whatever the names: it is the same mapping.
 * @param {object} params
 * @param {string} params.functionKey
 * @param {number} params.kafkaEvents  how many msk and kafka events the function has
 * @param {Naming} params.naming
 * @param {Record<string, any>} [params.extensions]
 * @returns {string | undefined}
 */
export function standInExtension({ functionKey, kafkaEvents, naming, extensions }) {
  if (kafkaEvents !== 1) return undefined;
  const prefix = mappingPrefix(naming, functionKey);
  const own = Object.keys(extensions ?? {}).filter((id) => isKafkaMappingId(id, prefix));
  return own.length === 1 ? own[0] : undefined;
}

/**
 * Extensions of a function's Kafka mappings that no event of this stage generates: the Framework
 * refuses to package such a stage, and locally their properties would silently not apply
 * (say the cluster ARN or the topic is another one here than in the deployed stage).
 * @param {object} params
 * @param {string} params.functionKey
 * @param {string[]} params.logicalIds  the mappings this stage generates for the function
 * @param {Naming} params.naming
 * @param {Record<string, any>} [params.extensions]
 * @param {string} [params.standIn]  applied in place of the stage's own id (`standInExtension`)
 */
export function unmatchedExtensions({ functionKey, logicalIds, naming, extensions, standIn }) {
  const prefix = mappingPrefix(naming, functionKey);
  return Object.keys(extensions ?? {}).filter(
    (id) => isKafkaMappingId(id, prefix) && !logicalIds.includes(id) && id !== standIn,
  );
}
