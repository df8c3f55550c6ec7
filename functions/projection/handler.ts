/**
 * The projection function, triggered by the Kafka event source (MSK in AWS, the offline
 * plugin locally). The batch is applied in one read-database transaction; poison records are
 * dead-lettered inside it. Any other failure throws, so the event source retries the batch.
 */
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { pool } from '../../lib/db/pool.js';
import { log } from '../../lib/log.js';
import {
  producerTraceparents,
  recordsFromKafkaEvent,
  type KafkaLambdaEvent,
} from '../../lib/projection/kafka-event.js';
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { MariaDbProjectionStore } from '../../lib/projection/mariadb.js';
import { publishBatchMetrics } from '../../lib/projection/metrics.js';
import type { IncomingRecord, RecordOutcome } from '../../lib/projection/records.js';
import type { ProjectionStore } from '../../lib/projection/store.js';
import {
  flushTraces,
  inSpan,
  linkTo,
  SpanKind,
  startTracing,
  traceIdOf,
} from '../../lib/telemetry/tracing.js';

startTracing('projection');

/**
 * At most this many producer traces are linked from a batch's span and named in its log line (the
 * SDK's default link limit). The batch span links to each record's producer, as OpenTelemetry's
 * messaging conventions ask of batch processing; a span per applied event cost about 12% of a
 * 1,000-event batch (npm run bench -- --only=tracing).
 */
const MAX_LINKS = 128;

export type BatchSummary = Record<RecordOutcome, number> & { records: number };

export function createProjectionHandler(getStore: () => ProjectionStore) {
  return async (event: KafkaLambdaEvent): Promise<BatchSummary> => {
    const records = recordsFromKafkaEvent(event);
    const parents = producerTraceparents(event, MAX_LINKS);
    try {
      return await inSpan(
        `process ${records[0]?.topic ?? 'batch'}`,
        {
          kind: SpanKind.CONSUMER,
          links: parents.flatMap(linkTo),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.batch.message_count': records.length,
          },
        },
        () => projectBatch(records, parents),
      );
    } finally {
      await flushTraces();
    }
  };

  async function projectBatch(records: IncomingRecord[], parents: string[]): Promise<BatchSummary> {
    const started = performance.now();
    const plan = await getStore().projectBatch(records);
    const summary: BatchSummary = {
      records: records.length,
      applied: 0,
      'skipped-duplicate': 0,
      parked: 0,
      'dead-lettered': 0,
    };
    for (const outcome of plan.outcomes) summary[outcome]++;
    for (const letter of plan.deadLetters) {
      const { topic, partition, offset } = letter.record;
      log.warn('dead-lettered', { topic, partition, offset, code: letter.code, reason: letter.reason });
    }
    const traceIds = parents.map(traceIdOf);
    log.info('projection-batch', { ...summary, ms: Math.round(performance.now() - started), traceIds });
    if (config.projection().emitMetrics)
      publishBatchMetrics(records, {
        applied: summary.applied,
        deadLettered: summary['dead-lettered'],
        parked: summary.parked,
      });
    return summary;
  }
}

let store: ProjectionStore | undefined;

export const handler = createProjectionHandler(
  () =>
    (store ??= new MariaDbProjectionStore(pool('projection'), registry, undefined, {
      keyring: keyringFor('projection'),
      auditApplied: config.projection().auditApplied,
    })),
);
