/** The console's throughput figures, folded from exported spans (OTLP JSON lines). */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SpanTail, throughputFromSpans } from '../../../lib/console/throughput.js';

const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);

function line(service: string, spans: object[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

const request = (traceId: string, endMs: number, status: number) => ({
  traceId,
  kind: 2,
  endTimeUnixNano: ns(endMs),
  attributes: [{ key: 'http.response.status_code', value: { intValue: status } }],
});

const batch = (endMs: number, count: number, links: string[]) => ({
  traceId: 'batch',
  kind: 5,
  endTimeUnixNano: ns(endMs),
  attributes: [{ key: 'messaging.batch.message_count', value: { intValue: count } }],
  links: links.map((traceId) => ({ traceId })),
});

const now = 1_800_000_010_500;

describe('throughput from spans', () => {
  it('counts the command function’s requests per second by status class, and nothing of other services', () => {
    const { seconds } = throughputFromSpans(
      [
        line('command', [
          request('a', now - 2000, 201),
          request('b', now - 2000, 422),
          request('c', now - 1500, 503),
        ]),
        line('query', [request('d', now - 2000, 200)]),
      ],
      { windowSeconds: 5, nowMs: now },
    );
    expect(seconds.map((s) => s.t)).toEqual([
      1_800_000_006, 1_800_000_007, 1_800_000_008, 1_800_000_009, 1_800_000_010,
    ]);
    expect(seconds[2]!.commands).toEqual({ '2xx': 1, '4xx': 1, '5xx': 0 });
    expect(seconds[3]!.commands).toEqual({ '2xx': 0, '4xx': 0, '5xx': 1 });
  });

  it('freshness is a batch’s end minus the 2xx of each command it links to; 4xx commands and old spans do not count', () => {
    const { seconds, freshness } = throughputFromSpans(
      [
        line('command', [
          request('a', now - 3000, 201),
          request('b', now - 3000, 200),
          request('c', now - 3000, 400),
        ]),
        line('projection', [
          batch(now - 2990, 2, ['a', 'c']),
          batch(now - 2950, 1, ['b']),
          batch(now - 60000, 5, ['x']),
        ]),
        'not json',
      ],
      { windowSeconds: 10, nowMs: now },
    );
    expect(seconds.reduce((n, s) => n + s.batches, 0)).toBe(2);
    expect(seconds.reduce((n, s) => n + s.events, 0)).toBe(3);
    expect(freshness).toEqual({ samples: 2, p50Ms: 50, p95Ms: 50, maxMs: 50 });
  });

  it('no spans: zeros for every second and no freshness', () => {
    const { seconds, freshness } = throughputFromSpans([], { windowSeconds: 3, nowMs: now });
    expect(seconds).toHaveLength(3);
    expect(seconds.every((s) => s.batches === 0 && s.commands['2xx'] === 0)).toBe(true);
    expect(freshness).toBeNull();
  });
});

describe('following the spans file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'span-tail-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const total = (r: { seconds: Array<{ commands: { '2xx': number } }> }) =>
    r.seconds.reduce((n, s) => n + s.commands['2xx'], 0);

  it('a later read folds in only what was appended, a half-written line once it is whole', async () => {
    const file = path.join(dir, 'spans.jsonl');
    await writeFile(file, `${line('command', [request('a', now - 3000, 201)])}\n`);
    const tail = new SpanTail(file);
    expect(total(await tail.read(10, now))).toBe(1);
    const next = line('command', [request('b', now - 2000, 201)]);
    await appendFile(file, next.slice(0, 20));
    expect(total(await tail.read(10, now))).toBe(1);
    await appendFile(file, `${next.slice(20)}\n`);
    expect(total(await tail.read(10, now))).toBe(2);
  });

  it('a first read of a long file takes its end only, drops the cut line, and shows no second before what it read', async () => {
    const file = path.join(dir, 'spans.jsonl');
    const old = line('command', [request('old', now - 8000, 201)]);
    const recent = line('command', [request('new', now - 2000, 201)]);
    await writeFile(file, `${old}\n${recent}\n`);
    const tail = new SpanTail(file, recent.length + 10);
    const result = await tail.read(10, now);
    expect(total(result)).toBe(1);
    expect(result.seconds[0]!.t).toBe(Math.floor((now - 2000) / 1000));
  });

  it('a rotated file (shorter than what was read) is read again from its start', async () => {
    const file = path.join(dir, 'spans.jsonl');
    await writeFile(
      file,
      `${line('command', [request('a', now - 3000, 201), request('b', now - 3000, 201)])}\n`,
    );
    const tail = new SpanTail(file);
    expect(total(await tail.read(10, now))).toBe(2);
    await writeFile(file, `${line('command', [request('c', now - 1000, 500)])}\n`);
    const after = await tail.read(10, now);
    expect(total(after)).toBe(0);
    expect(after.seconds.reduce((n, s) => n + s.commands['5xx'], 0)).toBe(1);
  });
});
