import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OutboxBacklog } from '../ops/backlog.js';

const metrics = new Metrics({ namespace: 'CqrsEs', serviceName: 'relay' });

/**
 * Emits the outbox's size and the age of its oldest event as CloudWatch embedded metrics (the
 * figures GET /health shows): an age that keeps growing means events are not reaching Kafka.
 */
export function publishOutboxMetrics(backlog: OutboxBacklog): void {
  metrics.addMetric('OutboxPending', MetricUnit.Count, backlog.pending);
  metrics.addMetric('OutboxOldestAgeMs', MetricUnit.Milliseconds, backlog.oldestAgeMs);
  metrics.publishStoredMetrics();
}
