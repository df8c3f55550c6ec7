import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import type { IncomingRecord } from './records.js';

export type KafkaLambdaEvent = MSKEvent | SelfManagedKafkaEvent;

const fromBase64 = (value: string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.from(value, 'base64');

/**
 * The records of a Lambda Kafka event (MSK or self-managed), in delivery order: partition
 * groups as Lambda sent them, offsets ascending within each.
 */
export function recordsFromKafkaEvent(event: KafkaLambdaEvent): IncomingRecord[] {
  const out: IncomingRecord[] = [];
  for (const group of Object.values(event.records ?? {})) {
    const sorted = [...group].sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const r of sorted) {
      const headers: Record<string, string> = {};
      for (const header of r.headers ?? []) {
        for (const [name, bytes] of Object.entries(header))
          headers[name] = Buffer.from(bytes).toString('utf8');
      }
      out.push({
        topic: r.topic,
        partition: Number(r.partition),
        offset: String(r.offset),
        timestamp: Number(r.timestamp),
        key: fromBase64(r.key),
        value: fromBase64(r.value),
        headers,
      });
    }
  }
  return out;
}
