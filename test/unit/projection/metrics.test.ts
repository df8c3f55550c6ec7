import { registry } from '../../../aggregates/index.js';
import { jest } from '@jest/globals';
import { createProjectionHandler } from '../../../functions/projection/handler.js';
import { InMemoryProjectionStore } from '../../../lib/projection/memory.js';
import { batchLagMs } from '../../../lib/projection/metrics.js';
import { envelope, record } from '../../support/records.js';

describe('projection lag metrics', () => {
  it('the lag of a batch is now minus the commit time of its oldest event; poison records do not count', () => {
    const old = {
      ...envelope('00000000-0000-4000-8000-0000000000a1', 1, 'UserRenamed', { name: 'a' }),
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    const newer = {
      ...envelope('00000000-0000-4000-8000-0000000000a2', 1, 'UserRenamed', { name: 'a' }),
      occurredAt: '2026-01-01T00:00:05.000Z',
    };
    const now = Date.parse('2026-01-01T00:00:07.500Z');
    expect(batchLagMs([record(newer), record('{bad'), record(old)], now)).toBe(7500);
    expect(batchLagMs([record('{bad')], now)).toBeUndefined();
  });

  it('the projection emits lag and counts as CloudWatch embedded metrics when metrics are on', async () => {
    process.env.PROJECTION_METRICS = 'on';
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const handler = createProjectionHandler(() => new InMemoryProjectionStore(registry));
      const first = envelope('00000000-0000-4000-8000-000000000001', 1, 'UserRegistered', {
        name: 'A',
        dateRegister: '2026-01-02T03:04:05.678Z',
      });
      const v = record(first);
      await handler({
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn',
        bootstrapServers: 'h:9092',
        records: {
          'user-events-0': [
            {
              topic: 'user-events',
              partition: 0,
              offset: 1,
              timestamp: 0,
              timestampType: 'CREATE_TIME',
              key: v.key!.toString('base64'),
              value: v.value!.toString('base64'),
              headers: [],
            },
          ],
        },
      });
    } finally {
      spy.mockRestore();
      delete process.env.PROJECTION_METRICS;
    }
    const emf = lines
      .map((l) => l.trim())
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const names = emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    expect(names).toEqual(
      expect.arrayContaining(['ProjectionLagMs', 'EventsApplied', 'EventsDeadLettered', 'EventsParked']),
    );
    expect(emf[0].EventsApplied).toBe(1);
    expect(emf[0].ProjectionLagMs).toBeGreaterThan(0);
  });
});
