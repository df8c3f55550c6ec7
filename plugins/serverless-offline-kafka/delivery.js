// @ts-check
/**
 * Delivers one batch of a partition under a failure policy, as Lambda's Kafka event source
 * mapping does:
 * - on a function error the whole batch is retried, with backoff, until it succeeds or has been
 *   retried MaximumRetryAttempts times (-1: forever); then it is discarded and the offsets move on;
 * - before every invocation, records older than MaximumRecordAgeInSeconds are discarded instead;
 * - with BisectBatchOnFunctionError a failing batch of several records is split in two and each
 *   half delivered the same way, first half first. As Lambda documents for streams, "splitting a
 *   batch does not count towards the retry quota": each half starts with no retries used, and a
 *   batch is retried as it is only once it is down to one record.
 * Discarded records go to `discard`; `resolved` is called for each run of records, in offset
 * order, once they were delivered or discarded, so the offsets can be committed up to there.
 */

/** @typedef {import('./kafka-event.js').ConsumedRecord} ConsumedRecord */
/** @typedef {import('./policy.js').FailurePolicy} FailurePolicy */
/** @typedef {import('./on-failure.js').Discard} Discard */

/**
 * @typedef {object} DeliveryContext
 * @property {FailurePolicy} policy
 * @property {(records: ConsumedRecord[]) => Promise<unknown>} invoke
 * @property {(discard: Discard) => Promise<void>} discard
 * @property {(records: ConsumedRecord[]) => Promise<void>} resolved
 * @property {(ms: number) => Promise<void>} wait  the backoff before a retry
 * @property {() => boolean} active  false once the consumer stops or loses the partition
 * @property {(retry: { records: ConsumedRecord[], retry: number, delayMs: number, error: unknown }) => void} [onRetry]
 * @property {(split: { records: ConsumedRecord[], error: unknown }) => void} [onSplit]
 * @property {() => number} [now]
 */

/** Backoff before retry `attempt` (1-based): 0.5 s doubling up to 10 s. */
export const retryDelayMs = (/** @type {number} */ attempt) => Math.min(10000, 500 * 2 ** (attempt - 1));

/**
 * The records of a batch that are older than the policy allows, and the others.
 * @param {ConsumedRecord[]} records
 * @param {number} maximumRecordAgeSeconds  -1: none expire
 * @param {number} now  milliseconds since the epoch
 */
export function partitionByAge(records, maximumRecordAgeSeconds, now) {
  if (maximumRecordAgeSeconds < 0) return { expired: [], live: records };
  const oldest = now - maximumRecordAgeSeconds * 1000;
  /** @type {ConsumedRecord[]} */
  const expired = [];
  /** @type {ConsumedRecord[]} */
  const live = [];
  for (const record of records) (Number(record.timestamp) < oldest ? expired : live).push(record);
  return { expired, live };
}

/**
 * @param {ConsumedRecord[]} batch  in offset order, from one partition
 * @param {DeliveryContext} context
 * @returns {Promise<boolean>} false when the consumer stopped or lost the partition first
 */
export async function deliver(batch, context) {
  const { policy } = context;
  const now = context.now ?? Date.now;
  let records = batch;
  let invocations = 0;
  /** @type {unknown} */
  let lastError;
  for (let retry = 0; ; retry++) {
    if (!context.active()) return false;
    const { expired, live } = partitionByAge(records, policy.maximumRecordAgeSeconds, now());
    if (expired.length) {
      await context.discard({
        records: expired,
        condition: 'RecordAgeExceeded',
        invokeCount: invocations,
        error: lastError,
      });
      records = live;
    }
    if (!records.length) break;
    try {
      invocations++;
      await context.invoke(records);
      break;
    } catch (error) {
      lastError = error;
      if (policy.bisect && records.length > 1) {
        context.onSplit?.({ records, error });
        const half = Math.ceil(records.length / 2);
        if (!(await deliver(records.slice(0, half), context))) return false;
        if (!(await deliver(records.slice(half), context))) return false;
        // The halves resolved this far already, unless the batch ended in expired records.
        if (records[records.length - 1] === batch[batch.length - 1]) return true;
        break;
      }
      const max = policy.maximumRetryAttempts;
      if (max >= 0 && retry >= max) {
        await context.discard({
          records,
          condition: 'RetryAttemptsExhausted',
          invokeCount: invocations,
          error,
        });
        break;
      }
      const delayMs = retryDelayMs(retry + 1);
      context.onRetry?.({ records, retry: retry + 1, delayMs, error });
      await context.wait(delayMs);
    }
  }
  await context.resolved(batch);
  return true;
}
