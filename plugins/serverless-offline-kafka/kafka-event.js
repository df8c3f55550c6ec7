// @ts-check
/**
 * Builds the event Lambda's Kafka event source passes to a function: `MSKEvent` for `msk`
 * events, `SelfManagedKafkaEvent` for `kafka` events. Records are grouped by "topic-partition",
 * keys and values are base64, header values are arrays of byte values.
 */

/**
 * @typedef {object} ConsumedRecord
 * @property {string} topic
 * @property {number} partition
 * @property {string} offset
 * @property {string} timestamp  milliseconds since the epoch, as kafkajs gives it
 * @property {Buffer | null} key
 * @property {Buffer | null} value
 * @property {Record<string, Buffer | string | (Buffer | string)[] | undefined>} [headers]
 */

/**
 * @typedef {object} EventSourceInfo
 * @property {'aws:kafka' | 'SelfManagedKafka'} eventSource
 * @property {string} [eventSourceArn]  the MSK cluster ARN (msk events only)
 * @property {string} bootstrapServers  comma-separated host:port list
 */

/** @param {Buffer | string} value */
const bytes = (value) => [...(typeof value === 'string' ? Buffer.from(value) : value)];

/**
 * @param {ConsumedRecord['headers']} headers
 * @returns {Array<Record<string, number[]>>}
 */
export function toLambdaHeaders(headers) {
  /** @type {Array<Record<string, number[]>>} */
  const out = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push({ [name]: bytes(v) });
  }
  return out;
}

/**
 * @param {ConsumedRecord} record
 */
export function toLambdaRecord(record) {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    timestampType: /** @type {const} */ ('CREATE_TIME'),
    key: record.key === null ? null : record.key.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: toLambdaHeaders(record.headers),
  };
}

/**
 * @param {EventSourceInfo} source
 * @param {ConsumedRecord[]} records  in delivery order
 */
export function buildKafkaEvent(source, records) {
  /** @type {Record<string, ReturnType<typeof toLambdaRecord>[]>} */
  const grouped = {};
  for (const record of records) {
    const group = `${record.topic}-${record.partition}`;
    (grouped[group] ??= []).push(toLambdaRecord(record));
  }
  return {
    eventSource: source.eventSource,
    ...(source.eventSource === 'aws:kafka' ? { eventSourceArn: source.eventSourceArn ?? '' } : {}),
    bootstrapServers: source.bootstrapServers,
    records: grouped,
  };
}
