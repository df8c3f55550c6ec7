import { deliver, partitionByAge, retryDelayMs } from '../../../plugins/serverless-offline-kafka/delivery.js';
import type { DeliveryContext } from '../../../plugins/serverless-offline-kafka/delivery.js';
import type { ConsumedRecord } from '../../../plugins/serverless-offline-kafka/kafka-event.js';
import type { Discard } from '../../../plugins/serverless-offline-kafka/on-failure.js';
import { failurePolicy } from '../../../plugins/serverless-offline-kafka/policy.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function records(count: number, { ageSeconds = 0 } = {}): ConsumedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: 't',
    partition: 0,
    offset: String(i),
    timestamp: String(NOW - ageSeconds * 1000),
    key: null,
    value: Buffer.from(`v${i}`),
  }));
}

const offsets = (rs: ConsumedRecord[]) => rs.map((r) => r.offset);

/** A delivery whose function fails while `fails(records, attempt)` says so, recording everything. */
function harness(
  properties: Record<string, unknown>,
  fails: (rs: ConsumedRecord[], attempt: number) => boolean,
) {
  const invocations: string[][] = [];
  const discards: Array<Omit<Discard, 'records' | 'error'> & { offsets: string[]; error: string }> = [];
  const resolved: string[] = [];
  const waits: number[] = [];
  let active = true;
  const context: DeliveryContext = {
    policy: failurePolicy(properties),
    now: () => NOW,
    active: () => active,
    invoke: async (rs) => {
      invocations.push(offsets(rs));
      if (fails(rs, invocations.length)) throw new Error(`failed ${offsets(rs).join(',')}`);
    },
    discard: async (d) =>
      void discards.push({
        offsets: offsets(d.records),
        condition: d.condition,
        invokeCount: d.invokeCount,
        error: (d.error as Error | undefined)?.message ?? '',
      }),
    resolved: async (rs) => void resolved.push(rs[rs.length - 1]!.offset),
    wait: async (ms) => {
      waits.push(ms);
      if (waits.length >= 50) active = false;
    },
  };
  return { context, invocations, discards, resolved, waits };
}

describe('offline Kafka delivery under a failure policy', () => {
  it('given a function that succeeds, the batch is invoked once and resolved up to its last record', async () => {
    const h = harness({}, () => false);
    expect(await deliver(records(3), h.context)).toBe(true);
    expect(h.invocations).toEqual([['0', '1', '2']]);
    expect(h.resolved).toEqual(['2']);
    expect(h.discards).toEqual([]);
  });

  it('given MaximumRetryAttempts N, a failing batch is invoked N+1 times with backoff, then discarded and resolved', async () => {
    const h = harness({ MaximumRetryAttempts: 2 }, () => true);
    expect(await deliver(records(2), h.context)).toBe(true);
    expect(h.invocations).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(h.waits).toEqual([retryDelayMs(1), retryDelayMs(2)]);
    expect(h.discards).toEqual([
      { offsets: ['0', '1'], condition: 'RetryAttemptsExhausted', invokeCount: 3, error: 'failed 0,1' },
    ]);
    expect(h.resolved).toEqual(['1']);
  });

  it('given MaximumRetryAttempts 0, a failing batch is discarded after its first attempt', async () => {
    const h = harness({ MaximumRetryAttempts: 0 }, () => true);
    await deliver(records(1), h.context);
    expect(h.invocations).toHaveLength(1);
    expect(h.discards).toHaveLength(1);
  });

  it('given a batch that succeeds on a retry, nothing is discarded', async () => {
    const h = harness({ MaximumRetryAttempts: 5 }, (_rs, attempt) => attempt < 3);
    await deliver(records(2), h.context);
    expect(h.invocations).toHaveLength(3);
    expect(h.discards).toEqual([]);
    expect(h.resolved).toEqual(['1']);
  });

  it('given infinite retries and no destination, a failing batch is retried until the consumer stops, never resolved', async () => {
    const h = harness({}, () => true);
    expect(await deliver(records(2), h.context)).toBe(false);
    expect(h.invocations).toHaveLength(50);
    expect(h.waits.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 8000, 10000]);
    expect(h.discards).toEqual([]);
    expect(h.resolved).toEqual([]);
  });

  it('given infinite retries and a destination, the batch is discarded after 10 retries', async () => {
    const h = harness(
      { DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:q' } } },
      () => true,
    );
    expect(await deliver(records(1), h.context)).toBe(true);
    expect(h.invocations).toHaveLength(11);
    expect(h.discards).toMatchObject([{ condition: 'RetryAttemptsExhausted', invokeCount: 11 }]);
  });

  it('given records older than MaximumRecordAgeInSeconds, they are discarded without an invocation and the rest delivered', async () => {
    const h = harness({ MaximumRecordAgeInSeconds: 60 }, () => false);
    const batch = [...records(2, { ageSeconds: 61 }), ...records(3).slice(2)];
    expect(await deliver(batch, h.context)).toBe(true);
    expect(h.discards).toEqual([
      { offsets: ['0', '1'], condition: 'RecordAgeExceeded', invokeCount: 0, error: '' },
    ]);
    expect(h.invocations).toEqual([['2']]);
    expect(h.resolved).toEqual(['2']);
  });

  it('given a failing batch whose records expire while it is retried, they are discarded instead of retried', async () => {
    let now = NOW;
    const h = harness({ MaximumRecordAgeInSeconds: 60 }, () => true);
    h.context.now = () => now;
    h.context.wait = async (ms) => void (now += ms * 100);
    expect(await deliver(records(2), h.context)).toBe(true);
    expect(h.invocations).toHaveLength(2);
    expect(h.discards).toEqual([
      { offsets: ['0', '1'], condition: 'RecordAgeExceeded', invokeCount: 2, error: 'failed 0,1' },
    ]);
    expect(h.resolved).toEqual(['1']);
  });

  it('given an expired last record, the batch is still resolved up to it', async () => {
    const h = harness({ MaximumRecordAgeInSeconds: 60 }, () => false);
    const batch = [...records(1), { ...records(2)[1]!, timestamp: String(NOW - 120000) }];
    await deliver(batch, h.context);
    expect(h.invocations).toEqual([['0']]);
    expect(h.resolved.at(-1)).toBe('1');
  });

  it('given BisectBatchOnFunctionError, a failing batch is split in halves until the failing record is alone; the others are delivered', async () => {
    const poison = '2';
    const h = harness({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 }, (rs) =>
      offsets(rs).includes(poison),
    );
    expect(await deliver(records(5), h.context)).toBe(true);
    expect(h.invocations).toEqual([
      ['0', '1', '2', '3', '4'],
      ['0', '1', '2'],
      ['0', '1'],
      ['2'],
      ['2'],
      ['3', '4'],
    ]);
    expect(h.discards).toEqual([
      { offsets: ['2'], condition: 'RetryAttemptsExhausted', invokeCount: 2, error: 'failed 2' },
    ]);
    expect(h.resolved).toEqual(['1', '2', '4']);
  });

  it('given BisectBatchOnFunctionError, splitting uses no retries: each half starts afresh, and only a single record is retried', async () => {
    const h = harness({ BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0 }, () => true);
    await deliver(records(4), h.context);
    expect(h.invocations).toEqual([['0', '1', '2', '3'], ['0', '1'], ['0'], ['1'], ['2', '3'], ['2'], ['3']]);
    expect(h.waits).toEqual([]);
    expect(h.discards.map((d) => d.offsets)).toEqual([['0'], ['1'], ['2'], ['3']]);
  });

  it('given a consumer that stops during the backoff, delivery ends unresolved', async () => {
    const h = harness({ MaximumRetryAttempts: 5 }, () => true);
    let active = true;
    h.context.active = () => active;
    h.context.wait = async () => void (active = false);
    expect(await deliver(records(1), h.context)).toBe(false);
    expect(h.invocations).toHaveLength(1);
    expect(h.resolved).toEqual([]);
  });

  it('partitions records by age: -1 keeps them all, otherwise older than the limit expire', () => {
    const old = records(1, { ageSeconds: 3600 });
    expect(partitionByAge(old, -1, NOW)).toEqual({ expired: [], live: old });
    expect(partitionByAge(old, 3600, NOW).expired).toEqual([]);
    expect(partitionByAge(old, 3599, NOW).expired).toEqual(old);
  });
});
