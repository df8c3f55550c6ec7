/**
 * Commands per second by status class, projection batches and events per second, and freshness
 * (a command's 2xx to the end of the projection batch that applied it), read from the spans the
 * functions export locally as OTLP JSON lines (lib/telemetry/tracing.ts, TRACES_FILE). Only the
 * file's tail is read, at most `maxBytes`, so a poll costs the same however long the file is.
 */
import { open } from 'node:fs/promises';

export interface SecondOfThroughput {
  /** Unix time, whole seconds. */
  t: number;
  commands: { '2xx': number; '4xx': number; '5xx': number };
  batches: number;
  events: number;
}

export interface Freshness {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface Throughput {
  /** The spans file read, or why there is none to read. */
  source: { file: string } | { unavailable: string };
  /** One entry per second of the window, oldest first, zeros included. */
  seconds: SecondOfThroughput[];
  freshness: Freshness | null;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpSpan {
  traceId: string;
  kind: number;
  endTimeUnixNano: string | number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
  links?: Array<{ traceId: string }>;
}
interface OtlpLine {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CONSUMER = 5;

const attribute = (attrs: Array<{ key: string; value: OtlpValue }> | undefined, key: string) =>
  attrs?.find((a) => a.key === key)?.value;

const endMs = (span: OtlpSpan) => Number(BigInt(span.endTimeUnixNano) / 1_000_000n);

/** The last `maxBytes` of `file` as whole lines (a line cut at the start is left out). */
async function tailLines(file: string, maxBytes: number): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    return lines.filter((line) => line.length > 0);
  } finally {
    await handle.close();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Folds spans into per-second figures for the `windowSeconds` up to `nowMs`. */
export function throughputFromSpans(
  lines: string[],
  { windowSeconds, nowMs }: { windowSeconds: number; nowMs: number },
): Pick<Throughput, 'seconds' | 'freshness'> {
  const last = Math.floor(nowMs / 1000);
  const first = last - windowSeconds + 1;
  const seconds: SecondOfThroughput[] = Array.from({ length: windowSeconds }, (_, i) => ({
    t: first + i,
    commands: { '2xx': 0, '4xx': 0, '5xx': 0 },
    batches: 0,
    events: 0,
  }));
  const bucket = (ms: number) => {
    const i = Math.floor(ms / 1000) - first;
    return i >= 0 && i < windowSeconds ? seconds[i] : undefined;
  };
  const answered = new Map<string, number>();
  const batches: Array<{ endMs: number; links: string[] }> = [];
  for (const line of lines) {
    let parsed: OtlpLine;
    try {
      parsed = JSON.parse(line) as OtlpLine;
    } catch {
      continue;
    }
    for (const resource of parsed.resourceSpans ?? []) {
      const service = attribute(resource.resource?.attributes, 'service.name')?.stringValue;
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          if (service === 'command' && span.kind === SPAN_KIND_SERVER) {
            const status = Number(attribute(span.attributes, 'http.response.status_code')?.intValue);
            const at = endMs(span);
            const second = bucket(at);
            const cls = status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 200 ? '2xx' : undefined;
            if (second && cls) second.commands[cls]++;
            if (cls === '2xx') answered.set(span.traceId, at);
          } else if (service === 'projection' && span.kind === SPAN_KIND_CONSUMER) {
            const at = endMs(span);
            const second = bucket(at);
            if (second) {
              second.batches++;
              second.events += Number(
                attribute(span.attributes, 'messaging.batch.message_count')?.intValue ?? 0,
              );
            }
            batches.push({ endMs: at, links: (span.links ?? []).map((l) => l.traceId) });
          }
        }
      }
    }
  }
  const delays: number[] = [];
  for (const batch of batches) {
    if (!bucket(batch.endMs)) continue;
    for (const traceId of batch.links) {
      const at = answered.get(traceId);
      if (at !== undefined && at <= batch.endMs) {
        delays.push(batch.endMs - at);
        answered.delete(traceId);
      }
    }
  }
  delays.sort((a, b) => a - b);
  const freshness = delays.length
    ? {
        samples: delays.length,
        p50Ms: percentile(delays, 50),
        p95Ms: percentile(delays, 95),
        maxMs: delays[delays.length - 1]!,
      }
    : null;
  return { seconds, freshness };
}

export interface ThroughputOptions {
  /** The spans file, or undefined when tracing exports elsewhere or not at all (with the reason). */
  file: string | { unavailable: string };
  windowSeconds?: number;
  maxBytes?: number;
  nowMs?: number;
}

export async function readThroughput(options: ThroughputOptions): Promise<Throughput> {
  const windowSeconds = options.windowSeconds ?? 60;
  const nowMs = options.nowMs ?? Date.now();
  if (typeof options.file !== 'string') {
    return { source: options.file, ...throughputFromSpans([], { windowSeconds, nowMs }) };
  }
  let lines: string[] = [];
  try {
    lines = await tailLines(options.file, options.maxBytes ?? 8 * 1024 * 1024);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { source: { file: options.file }, ...throughputFromSpans(lines, { windowSeconds, nowMs }) };
}
