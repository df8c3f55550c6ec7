// @ts-check
/**
 * What Lambda does with a batch the function failed on, read from the properties of the event
 * source mapping: how often it retries, how old a record may get, whether it bisects, and where
 * a discarded batch goes. Absent properties (and `{ "Ref": "AWS::NoValue" }`) take AWS's
 * defaults; values AWS would refuse are refused here too, naming the property.
 */

/**
 * @typedef {object} FailurePolicy
 * @property {number} maximumRetryAttempts  retries after the first attempt; -1 retries until it succeeds
 * @property {boolean} retryCapped  infinite retries limited to 10 because of the on-failure destination
 * @property {number} maximumRecordAgeSeconds  -1: records never expire
 * @property {boolean} bisect  split a failing batch in two and retry each half
 * @property {Destination | undefined} destination
 */

/**
 * A `kafka` destination receives the failed records; the others receive an invocation record
 * (S3 with the whole event in it). `unresolved` is an ARN only CloudFormation can resolve
 * (an import, say): it is treated like SQS.
 * @typedef {{ kind: 'kafka', topic: string, label: string }
 *   | { kind: 'sqs' | 'sns' | 's3' | 'unresolved', label: string }} Destination
 */

/**
 * @typedef {object} PolicyContext
 * @property {Record<string, { Type?: string }>} [resources]  the template's own resources, to tell what a Ref or Fn::GetAtt points to
 * @property {string[]} [sourceTopics]  a Kafka destination may not be one of them
 */

/** Lambda's limit when retries are infinite and an on-failure destination is set. */
export const RETRY_CAP_WITH_DESTINATION = 10;

const SERVICES = /** @type {const} */ ({ sqs: 'SQS queue', sns: 'SNS topic', s3: 'S3 bucket' });
const RESOURCE_TYPES = /** @type {const} */ ({
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::S3::Bucket': 's3',
});
/** OnFailure.Destination's pattern in the Lambda API reference. */
const KAFKA_DESTINATION = /^kafka:\/\/([^.][a-zA-Z0-9\-_.]{0,248})$/;
const ARN =
  /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-]+):([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

/** @param {unknown} value */
const isNoValue = (value) =>
  typeof value === 'object' && value !== null && /** @type {any} */ (value).Ref === 'AWS::NoValue';

/**
 * @param {unknown} value
 * @returns {unknown} undefined for an absent property
 */
export const present = (value) =>
  value === undefined || value === null || isNoValue(value) ? undefined : value;

/** @param {unknown} value */
const show = (value) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/**
 * An integer property; CloudFormation takes numbers as strings too.
 * @param {string} name
 * @param {unknown} raw
 * @param {number} fallback
 * @param {(n: number) => boolean} valid
 * @param {string} range
 */
function integer(name, raw, fallback, valid, range) {
  const value = present(raw);
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || !valid(n)) {
    throw new Error(`${name} must be ${range}, got ${show(value)}`);
  }
  return n;
}

/**
 * @param {string} name
 * @param {unknown} raw
 */
function boolean(name, raw) {
  const value = present(raw);
  if (value === undefined) return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`${name} must be true or false, got ${show(value)}`);
}

/**
 * @param {string} name
 * @param {unknown} raw
 * @param {string[]} [keys]  the only properties it may have
 * @returns {Record<string, unknown> | undefined}
 */
function object(name, raw, keys) {
  const value = present(raw);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${name} must be an object, got ${show(value)}`);
  }
  const unknown = Object.keys(value).filter((k) => keys && !keys.includes(k));
  if (keys && unknown.length) {
    throw new Error(`${name} has no property ${unknown.join(', ')} (it has ${keys.join(', ')})`);
  }
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * The service an ARN written with Fn::Sub or Fn::Join names, whatever its variables resolve to.
 * @param {unknown} template
 */
function serviceOfArnTemplate(template) {
  const text = Array.isArray(template)
    ? template.map((part) => (typeof part === 'string' ? part : 'x')).join('')
    : String(template);
  return /^arn:[^:]*:([a-z0-9-]+):/.exec(text.replace(/\$\{[^}]*\}/g, 'x'))?.[1];
}

/**
 * @param {string} service
 * @param {string} label
 * @returns {Destination}
 */
function byService(service, label) {
  if (service in SERVICES) return { kind: /** @type {'sqs' | 'sns' | 's3'} */ (service), label };
  throw new Error(
    `DestinationConfig.OnFailure.Destination must be an SQS queue, an SNS topic, an S3 bucket or kafka://<topic>, got ${label}`,
  );
}

/**
 * @param {unknown} raw
 * @param {PolicyContext} context
 * @returns {Destination | undefined}
 */
function destinationOf(raw, context) {
  const name = 'DestinationConfig.OnFailure.Destination';
  const value = present(raw);
  // The API removes a destination given an empty string.
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    const kafka = KAFKA_DESTINATION.exec(value);
    if (kafka) {
      const topic = /** @type {string} */ (kafka[1]);
      if (context.sourceTopics?.includes(topic)) {
        throw new Error(`${name} ${value} is the mapping's own topic, which Lambda refuses (a loop)`);
      }
      return { kind: 'kafka', topic, label: value };
    }
    const arn = ARN.exec(value);
    if (!arn || value.length > 350) {
      throw new Error(`${name} must be an ARN or kafka://<topic>, got ${show(value)}`);
    }
    return byService(/** @type {string} */ (arn[2]), value);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const fn = /** @type {Record<string, any>} */ (value);
    const getAtt = fn['Fn::GetAtt'];
    const ref = fn.Ref;
    if (getAtt !== undefined || ref !== undefined) {
      const [logicalId, attribute] =
        getAtt !== undefined ? (Array.isArray(getAtt) ? getAtt : String(getAtt).split('.')) : [ref];
      const type = context.resources?.[logicalId]?.Type;
      const service = type ? RESOURCE_TYPES[/** @type {keyof RESOURCE_TYPES} */ (type)] : undefined;
      if (!service) {
        throw new Error(
          `${name} ${show(value)} must point to an SQS queue, SNS topic or S3 bucket of the template, ` +
            `but ${logicalId} is ${type ?? 'not one of its resources'}`,
        );
      }
      // Ref gives an SQS queue's URL and an S3 bucket's name, not their ARN.
      if ((ref !== undefined && service !== 'sns') || (getAtt !== undefined && attribute !== 'Arn')) {
        throw new Error(
          `${name} ${show(value)} is not the ARN of ${logicalId}; use Fn::GetAtt ${logicalId}.Arn`,
        );
      }
      return { kind: service, label: `${SERVICES[service]} ${logicalId}` };
    }
    const sub = fn['Fn::Sub'];
    const join = fn['Fn::Join'];
    if (sub !== undefined || join !== undefined) {
      const template = sub !== undefined ? (Array.isArray(sub) ? sub[0] : sub) : join?.[1];
      const service = serviceOfArnTemplate(template);
      if (service) return byService(service, show(value));
    }
    return { kind: 'unresolved', label: show(value) };
  }
  throw new Error(`${name} must be an ARN or kafka://<topic>, got ${show(value)}`);
}

/**
 * Turns the properties of an `AWS::Lambda::EventSourceMapping` into what the event source does
 * on a function error. Properties the emulator does not act on (ProvisionedPollerConfig,
 * MetricsConfig) are still checked against AWS's ranges, so the local run refuses what a deploy
 * would.
 *
 * @param {Record<string, unknown>} properties
 * @param {PolicyContext} [context]
 * @returns {FailurePolicy}
 */
export function failurePolicy(properties, context = {}) {
  const destinationConfig = object('DestinationConfig', properties.DestinationConfig, ['OnFailure']);
  const onFailure = object('DestinationConfig.OnFailure', destinationConfig?.OnFailure, ['Destination']);
  const destination = destinationOf(onFailure?.Destination, context);
  const retries = integer(
    'MaximumRetryAttempts',
    properties.MaximumRetryAttempts,
    -1,
    (n) => n >= -1 && n <= 10000,
    'an integer from -1 (infinite) to 10000',
  );
  const maximumRecordAgeSeconds = integer(
    'MaximumRecordAgeInSeconds',
    properties.MaximumRecordAgeInSeconds,
    -1,
    (n) => n === -1 || (n >= 60 && n <= 604800),
    '-1 (infinite) or an integer from 60 to 604800',
  );
  const bisect = boolean('BisectBatchOnFunctionError', properties.BisectBatchOnFunctionError);
  checkPollers(properties.ProvisionedPollerConfig);
  const metrics = object('MetricsConfig', properties.MetricsConfig, ['Metrics']);
  if (present(metrics?.Metrics) !== undefined && !Array.isArray(metrics?.Metrics)) {
    throw new Error(`MetricsConfig.Metrics must be a list, got ${show(metrics?.Metrics)}`);
  }
  const retryCapped = retries === -1 && destination !== undefined;
  return {
    maximumRetryAttempts: retryCapped ? RETRY_CAP_WITH_DESTINATION : retries,
    retryCapped,
    maximumRecordAgeSeconds,
    bisect,
    destination,
  };
}

/** @param {unknown} raw */
function checkPollers(raw) {
  const pollers = object('ProvisionedPollerConfig', raw);
  if (!pollers) return;
  const min = integer(
    'ProvisionedPollerConfig.MinimumPollers',
    pollers.MinimumPollers,
    1,
    (n) => n >= 1 && n <= 200,
    'an integer from 1 to 200',
  );
  const max = integer(
    'ProvisionedPollerConfig.MaximumPollers',
    pollers.MaximumPollers,
    200,
    (n) => n >= 1 && n <= 2000,
    'an integer from 1 to 2000',
  );
  if (min > max) {
    throw new Error(`ProvisionedPollerConfig.MinimumPollers (${min}) is above MaximumPollers (${max})`);
  }
}

/**
 * The policy in words, for the start-up line.
 * @param {FailurePolicy} policy
 * @param {{ file?: string }} [where]  the file that stands in for an SQS, SNS or S3 destination
 */
export function describePolicy(policy, where = {}) {
  const n = policy.maximumRetryAttempts;
  const retries =
    n === -1
      ? 'retries forever'
      : n === 0
        ? 'no retries'
        : `retries ${n === 1 ? 'once' : `${n} times`}${policy.retryCapped ? ' (infinite, capped because of the on-failure destination)' : ''}`;
  const age =
    policy.maximumRecordAgeSeconds === -1
      ? 'records never expire'
      : `records expire after ${policy.maximumRecordAgeSeconds}s`;
  const bisect = policy.bisect ? 'bisects a failing batch' : 'no bisect';
  const d = policy.destination;
  const destination = !d
    ? 'no on-failure destination'
    : d.kind === 'kafka'
      ? `on-failure destination ${d.label}`
      : `on-failure destination ${d.label}${where.file ? ` (invocation records to ${where.file})` : ''}`;
  return `${retries}, ${age}, ${bisect}, ${destination}`;
}
