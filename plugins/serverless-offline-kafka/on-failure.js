// @ts-check
/**
 * What an on-failure destination receives when Lambda discards records, in the shapes the Lambda
 * developer guide documents: an SQS queue or SNS topic gets an invocation record (metadata only:
 * topic, partition, offsets, timestamps), an S3 bucket the same with the whole event in
 * `payload`, and a Kafka topic one message per record, keyed as the record was, whose value is
 * the metadata with the record's event in `payload`.
 */
import { randomUUID } from 'node:crypto';
import { buildKafkaEvent } from './kafka-event.js';

/** @typedef {import('./kafka-event.js').ConsumedRecord} ConsumedRecord */
/** @typedef {import('./kafka-event.js').EventSourceInfo} EventSourceInfo */

/**
 * @typedef {object} Discard
 * @property {ConsumedRecord[]} records  in offset order, from one partition
 * @property {'RetryAttemptsExhausted' | 'RecordAgeExceeded'} condition
 * @property {number} invokeCount  how often the function got these records
 * @property {unknown} [error]  the function's last error, when it was invoked
 */

/**
 * @typedef {EventSourceInfo & { functionArn: string }} FailureContext
 */

/** Headers the emulator adds to a record it writes to a Kafka destination (AWS documents none). */
export const FAILURE_HEADERS = /** @type {const} */ ({
  topic: 'offline-kafka-source-topic',
  partition: 'offline-kafka-source-partition',
  offset: 'offline-kafka-source-offset',
  error: 'offline-kafka-error',
});

/** @param {string} timestamp  milliseconds since the epoch */
const iso = (timestamp) => new Date(Number(timestamp)).toISOString();

/**
 * The message of what a function threw (serverless-offline's runners do not always throw an Error).
 * @param {unknown} error
 */
export const errorMessage = (error) =>
  error === undefined
    ? ''
    : typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : String(error);

/**
 * @param {Discard} discard
 * @param {FailureContext} context
 * @param {Date} now
 */
function metadata(discard, context, now) {
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: context.functionArn,
      condition: discard.condition,
      approximateInvokeCount: discard.invokeCount,
    },
    // Records that expired before the function ever got them have no response.
    responseContext:
      discard.invokeCount > 0
        ? { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' }
        : null,
    version: '1.0',
    timestamp: now.toISOString(),
  };
}

/**
 * @param {ConsumedRecord[]} records
 * @param {FailureContext} context
 */
function batchInfo(records, context) {
  const event = buildKafkaEvent(context, records);
  return {
    event,
    info: {
      batchSize: records.length,
      ...(context.eventSourceArn !== undefined ? { eventSourceArn: context.eventSourceArn } : {}),
      bootstrapServers: context.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(event)),
    },
  };
}

/**
 * The invocation record an SQS queue or SNS topic receives; `withPayload` adds the event as S3 gets it.
 * @param {Discard} discard
 * @param {FailureContext} context
 * @param {{ now?: Date, withPayload?: boolean }} [options]
 */
export function invocationRecord(discard, context, { now = new Date(), withPayload = false } = {}) {
  const { event, info } = batchInfo(discard.records, context);
  /** @type {Record<string, { firstRecordOffset: string, lastRecordOffset: string, firstRecordTimestamp: string, lastRecordTimestamp: string }>} */
  const recordsInfo = {};
  for (const record of discard.records) {
    const key = `${record.topic}-${record.partition}`;
    const seen = recordsInfo[key];
    recordsInfo[key] = {
      firstRecordOffset: seen?.firstRecordOffset ?? record.offset,
      lastRecordOffset: record.offset,
      firstRecordTimestamp: seen?.firstRecordTimestamp ?? iso(record.timestamp),
      lastRecordTimestamp: iso(record.timestamp),
    };
  }
  return {
    ...metadata(discard, context, now),
    KafkaBatchInfo: { ...info, recordsInfo },
    ...(withPayload ? { payload: JSON.stringify(event) } : {}),
  };
}

/**
 * The messages a Kafka destination receives: one per discarded record.
 * @param {Discard} discard
 * @param {FailureContext} context
 * @param {{ now?: Date }} [options]
 * @returns {Array<{ key: Buffer | null, value: string, headers: Record<string, string> }>}
 */
export function kafkaFailureMessages(discard, context, { now = new Date() } = {}) {
  return discard.records.map((record) => {
    const { event, info } = batchInfo([record], context);
    const value = {
      ...metadata(discard, context, now),
      KafkaBatchInfo: { ...info, recordInfo: { offset: record.offset, timestamp: iso(record.timestamp) } },
      payload: event,
    };
    return {
      key: record.key,
      value: JSON.stringify(value),
      headers: {
        [FAILURE_HEADERS.topic]: record.topic,
        [FAILURE_HEADERS.partition]: String(record.partition),
        [FAILURE_HEADERS.offset]: record.offset,
        [FAILURE_HEADERS.error]: errorMessage(discard.error) || discard.condition,
      },
    };
  });
}

/**
 * "topic-partition offsets a-b", for log lines.
 * @param {ConsumedRecord[]} records
 */
export function describeRecords(records) {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) return 'no records';
  const where = `${first.topic}-${first.partition}`;
  return first === last
    ? `${where} offset ${first.offset}`
    : `${where} offsets ${first.offset}-${last.offset}`;
}
