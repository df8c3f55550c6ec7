import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import type { IncomingRecord } from './records.js';

export type KafkaLambdaEvent = MSKEvent | SelfManagedKafkaEvent;

type RawHeaders = KafkaLambdaEvent['records'][string][number]['headers'];

const fromBase64 = (value: string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.from(value, 'base64');

/** Longer headers go through a Buffer (a spread of their bytes as arguments would be too long). */
const SHORT_HEADER = 256;

/** A header's bytes as text: short ASCII straight to a string, anything else through UTF-8 decoding. */
function headerText(bytes: number[]): string {
  if (bytes.length > SHORT_HEADER) return Buffer.from(bytes).toString('utf8');
  for (const b of bytes) if (b > 0x7f) return Buffer.from(bytes).toString('utf8');
  return String.fromCharCode(...bytes);
}

function decodeHeaders(raw: RawHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of raw ?? []) {
    for (const [name, bytes] of Object.entries(header)) headers[name] = headerText(bytes);
  }
  return headers;
}

/**
 * The distinct producer trace contexts (`traceparent` headers) of the event's records, at most
 * `max`, in the order Lambda sent them. Only that header is decoded, and only until `max` are
 * found: a batch span links to at most that many producers, and the other headers of a record
 * are read only when it is dead-lettered.
 */
export function producerTraceparents(event: KafkaLambdaEvent, max: number): string[] {
  const found = new Set<string>();
  for (const group of Object.values(event.records ?? {})) {
    for (const record of group) {
      for (const header of record.headers ?? []) {
        const bytes = header.traceparent;
        if (bytes) found.add(headerText(bytes));
      }
      if (found.size >= max) return [...found].slice(0, max);
    }
  }
  return [...found];
}

/**
 * The records of a Lambda Kafka event (MSK or self-managed), in delivery order: partition
 * groups as Lambda sent them, offsets ascending within each. A record's headers are turned
 * from byte arrays into text the first time they are read (most batches never read them).
 */
export function recordsFromKafkaEvent(event: KafkaLambdaEvent): IncomingRecord[] {
  const out: IncomingRecord[] = [];
  for (const group of Object.values(event.records ?? {})) {
    const sorted = [...group].sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const r of sorted) {
      const raw = r.headers;
      let headers: Record<string, string> | undefined;
      out.push({
        topic: r.topic,
        partition: Number(r.partition),
        offset: String(r.offset),
        timestamp: Number(r.timestamp),
        key: fromBase64(r.key),
        value: fromBase64(r.value),
        get headers() {
          return (headers ??= decodeHeaders(raw));
        },
      });
    }
  }
  return out;
}
