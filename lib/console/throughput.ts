/**
 * Commands per second by status class, projection batches and events per second, and freshness
 * (a command's 2xx to the end of the projection batch that applied it), read from the spans the
 * functions export locally as OTLP JSON lines (lib/telemetry/tracing.ts, TRACES_FILE). The file is
 * followed: a poll reads only what was appended since the one before.
 */
import { open, type FileHandle } from 'node:fs/promises';

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

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const emptySecond = (t: number): SecondOfThroughput => ({
  t,
  commands: { '2xx': 0, '4xx': 0, '5xx': 0 },
  batches: 0,
  events: 0,
});

/** Spans folded into per-second counts, and what freshness needs: each 2xx's time and each batch's links. */
export class SpanFold {
  private readonly seconds = new Map<number, SecondOfThroughput>();
  private readonly answered = new Map<string, number>();
  private batches: Array<{ endMs: number; links: string[] }> = [];
  /** When the earliest span folded in ended. */
  earliestMs: number | undefined;

  /** One exported line (an ExportTraceServiceRequest); a line that is not JSON is skipped. */
  add(line: string): void {
    let parsed: OtlpLine;
    try {
      parsed = JSON.parse(line) as OtlpLine;
    } catch {
      return;
    }
    for (const resource of parsed.resourceSpans ?? []) {
      const service = attribute(resource.resource?.attributes, 'service.name')?.stringValue;
      if (service !== 'command' && service !== 'projection') continue;
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) this.addSpan(service, span);
      }
    }
  }

  private second(ms: number): SecondOfThroughput {
    const t = Math.floor(ms / 1000);
    let second = this.seconds.get(t);
    if (!second) this.seconds.set(t, (second = emptySecond(t)));
    return second;
  }

  private addSpan(service: 'command' | 'projection', span: OtlpSpan): void {
    const at = endMs(span);
    if (this.earliestMs === undefined || at < this.earliestMs) this.earliestMs = at;
    if (service === 'command' && span.kind === SPAN_KIND_SERVER) {
      const status = Number(attribute(span.attributes, 'http.response.status_code')?.intValue);
      const cls = status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 200 ? '2xx' : undefined;
      if (!cls) return;
      this.second(at).commands[cls]++;
      if (cls === '2xx') this.answered.set(span.traceId, at);
    } else if (service === 'projection' && span.kind === SPAN_KIND_CONSUMER) {
      const second = this.second(at);
      second.batches++;
      second.events += Number(attribute(span.attributes, 'messaging.batch.message_count')?.intValue ?? 0);
      this.batches.push({ endMs: at, links: (span.links ?? []).map((l) => l.traceId) });
    }
  }

  /** Forgets what ended before `oldestMs`. */
  prune(oldestMs: number): void {
    const oldest = Math.floor(oldestMs / 1000);
    for (const t of this.seconds.keys()) if (t < oldest) this.seconds.delete(t);
    for (const [traceId, at] of this.answered) if (at < oldestMs) this.answered.delete(traceId);
    this.batches = this.batches.filter((b) => b.endMs >= oldestMs);
  }

  /** The `windowSeconds` up to `nowMs`, starting no earlier than `fromMs` (what was read). */
  snapshot({
    windowSeconds,
    nowMs,
    fromMs,
  }: {
    windowSeconds: number;
    nowMs: number;
    fromMs?: number;
  }): Pick<Throughput, 'seconds' | 'freshness'> {
    const last = Math.floor(nowMs / 1000);
    const first = Math.max(
      last - windowSeconds + 1,
      fromMs === undefined ? -Infinity : Math.floor(fromMs / 1000),
    );
    const seconds: SecondOfThroughput[] = [];
    for (let t = first; t <= last; t++) seconds.push(structuredClone(this.seconds.get(t) ?? emptySecond(t)));
    const delays: number[] = [];
    for (const batch of this.batches) {
      if (Math.floor(batch.endMs / 1000) < first) continue;
      for (const traceId of batch.links) {
        const at = this.answered.get(traceId);
        if (at !== undefined && at <= batch.endMs) delays.push(batch.endMs - at);
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
}

/** Folds spans into per-second figures for the `windowSeconds` up to `nowMs`. */
export function throughputFromSpans(
  lines: string[],
  options: { windowSeconds: number; nowMs: number },
): Pick<Throughput, 'seconds' | 'freshness'> {
  const fold = new SpanFold();
  for (const line of lines) fold.add(line);
  return fold.snapshot(options);
}

/**
 * Follows the spans file: the first read takes its last `initialBytes`, each later one only what
 * was appended since (the whole file again after it was rotated), so a poll costs what was written
 * since the last one.
 */
export class SpanTail {
  private offset: number | undefined;
  private partial = '';
  private fold = new SpanFold();
  /** Set when reading started mid-file: nothing before the first span read is known. */
  private knownFromMs: number | undefined;

  constructor(
    private readonly file: string,
    private readonly initialBytes = 2 * 1024 * 1024,
  ) {}

  async read(windowSeconds: number, nowMs: number): Promise<Pick<Throughput, 'seconds' | 'freshness'>> {
    const handle = await open(this.file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (handle) {
      try {
        await this.readNew(handle, nowMs);
      } finally {
        await handle.close();
      }
    }
    this.fold.prune(nowMs - (windowSeconds + 60) * 1000);
    return this.fold.snapshot({ windowSeconds, nowMs, fromMs: this.knownFromMs });
  }

  private async readNew(handle: FileHandle, nowMs: number): Promise<void> {
    const { size } = await handle.stat();
    let midLine = false;
    if (this.offset === undefined || size < this.offset || size - this.offset > this.initialBytes) {
      // The first read, a rotated file, or more appended than a first read takes: start afresh.
      this.fold = new SpanFold();
      this.offset = Math.max(0, size - this.initialBytes);
      this.partial = '';
      midLine = this.offset > 0;
      this.knownFromMs = midLine ? nowMs : undefined;
    }
    const buffer = Buffer.alloc(size - this.offset);
    if (buffer.length) await handle.read(buffer, 0, buffer.length, this.offset);
    this.offset = size;
    const lines = (this.partial + buffer.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    if (midLine) lines.shift();
    for (const line of lines) if (line) this.fold.add(line);
    if (midLine && this.fold.earliestMs !== undefined) this.knownFromMs = this.fold.earliestMs;
  }
}

export interface ThroughputOptions {
  /** The spans file, or why there is none. */
  file: string | { unavailable: string };
  windowSeconds?: number;
  nowMs?: number;
}

/** One follower per file, kept for the life of the process (a container serves many polls). */
const tails = new Map<string, SpanTail>();

export async function readThroughput(options: ThroughputOptions): Promise<Throughput> {
  const windowSeconds = options.windowSeconds ?? 60;
  const nowMs = options.nowMs ?? Date.now();
  if (typeof options.file !== 'string') {
    return { source: options.file, ...throughputFromSpans([], { windowSeconds, nowMs }) };
  }
  let tail = tails.get(options.file);
  if (!tail) tails.set(options.file, (tail = new SpanTail(options.file)));
  return { source: { file: options.file }, ...(await tail.read(windowSeconds, nowMs)) };
}
