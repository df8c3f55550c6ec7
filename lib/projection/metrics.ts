import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { decodeEnvelope } from '../bus/envelope.js';
import type { IncomingRecord } from './records.js';

const metrics = new Metrics({ namespace: 'CqrsEs', serviceName: 'projection' });

/** How stale the batch's oldest event was when applied: now − the time its command committed. */
export function batchLagMs(records: IncomingRecord[], now = Date.now()): number | undefined {
  let oldest: number | undefined;
  for (const record of records) {
    const decoded = decodeEnvelope(record.value);
    if (!decoded.ok) continue;
    const at = Date.parse(decoded.envelope.occurredAt);
    if (oldest === undefined || at < oldest) oldest = at;
  }
  return oldest === undefined ? undefined : Math.max(0, now - oldest);
}

/**
 * Emits the batch's lag and counts as CloudWatch embedded metrics (one JSON line on stdout,
 * which Lambda ships to CloudWatch). Offset lag needs no code: Lambda publishes OffsetLag for
 * Kafka event sources itself.
 */
export function publishBatchMetrics(
  records: IncomingRecord[],
  counts: { applied: number; deadLettered: number; parked: number },
): void {
  const lag = batchLagMs(records);
  if (lag !== undefined) metrics.addMetric('ProjectionLagMs', MetricUnit.Milliseconds, lag);
  metrics.addMetric('EventsApplied', MetricUnit.Count, counts.applied);
  metrics.addMetric('EventsDeadLettered', MetricUnit.Count, counts.deadLettered);
  metrics.addMetric('EventsParked', MetricUnit.Count, counts.parked);
  metrics.publishStoredMetrics();
}
