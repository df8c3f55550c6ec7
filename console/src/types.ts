/** The shapes the console's API answers with (lib/console/api.ts). */

export interface PartitionLag {
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

export type Maybe<T> = T | { error: string };

export interface Health {
  status: 'ok' | 'degraded';
  problems: string[];
  outbox: Maybe<{ pending: number; oldestAgeMs: number }>;
  projection: Maybe<{ group: string; topic: string; total: number; partitions: PartitionLag[] }>;
  readModel: Maybe<{
    parked: { count: number; oldestAgeMs: number };
    deadLetters: { count: number; newestAt: string | null };
  }>;
}

export interface SecondOfThroughput {
  t: number;
  commands: { '2xx': number; '4xx': number; '5xx': number };
  batches: number;
  events: number;
}

export interface Pipeline {
  at: string;
  health: Health;
  throughput: {
    source: { file: string } | { unavailable: string };
    seconds: SecondOfThroughput[];
    freshness: { samples: number; p50Ms: number; p95Ms: number; maxMs: number } | null;
  };
}

export interface StreamEvent {
  position: number;
  eventId: string;
  version: number;
  type: string;
  occurredAt: string;
  schemaVersion: number;
  metadata: Record<string, unknown>;
  data: unknown;
  kafka: { partition: number; offset: string } | null;
}

export interface StreamRow {
  table: string;
  version: number | null;
  row: Record<string, unknown>;
}

export interface StreamView {
  streamId: string;
  aggregate: string | null;
  streamType: string | null;
  events: StreamEvent[];
  writeRow: StreamRow | null;
  readRow: StreamRow | null;
  offsetsRecorded: boolean;
}

export interface DeadLetterSummary {
  id: number;
  topic: string;
  partition: number;
  offset: string;
  reasonCode: string;
  reason: string;
  createdAt: string;
  redrivenAt: string | null;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  key: string | null;
  value: string | null;
  valueBase64: string | null;
  headers: Record<string, string>;
}

export interface ParkedEvent {
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  parkedAt: string;
  ageMs: number;
}

export interface RebuildStatus {
  runId: number;
  status: 'running' | 'swapped';
  applied: number;
  total: number;
  startedAt: string;
  swappedAt: string | null;
}
