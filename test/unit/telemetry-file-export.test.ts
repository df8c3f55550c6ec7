/**
 * Locally, spans are appended to a file as OTLP JSON lines, one per export, through a descriptor
 * the exporter keeps open; the file is rotated once full, and a rotation made by another process
 * appending to the same file is followed.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OtlpJsonFileExporter, type FileExporterOptions } from '../../lib/telemetry/exporters.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spans-'));
  file = path.join(dir, 'traces', 'spans.jsonl');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tracerTo(options: FileExporterOptions = {}) {
  const exporter = new OtlpJsonFileExporter(file, options);
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return {
    span: async (name: string) => {
      provider.getTracer('test').startSpan(name).end();
      await provider.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}

function spanNamesIn(at: string): string[] {
  if (!existsSync(at)) return [];
  return readFileSync(at, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const request = JSON.parse(line) as {
        resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
      };
      return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
    });
}

describe('trace export to the local spans file', () => {
  it('each export is one OTLP JSON line appended to the file, whose folder is made when missing', async () => {
    const tracer = tracerTo();
    await tracer.span('POST /users');
    await tracer.span('GET /users/{id}');
    await tracer.shutdown();
    expect(spanNamesIn(file)).toEqual(['POST /users', 'GET /users/{id}']);
  });

  it('two exporters on one file (two processes) both append, neither overwrites the other', async () => {
    const first = tracerTo();
    const second = tracerTo();
    await first.span('a');
    await second.span('b');
    await first.span('c');
    await Promise.all([first.shutdown(), second.shutdown()]);
    expect(spanNamesIn(file)).toEqual(['a', 'b', 'c']);
  });

  it('a file past its size is renamed to <file>.1 and the next lines start a new file', async () => {
    const tracer = tracerTo({ rotateBytes: 10 });
    await tracer.span('first');
    await tracer.span('second');
    await tracer.span('third');
    await tracer.shutdown();
    expect(spanNamesIn(`${file}.1`)).toEqual(['second']);
    expect(spanNamesIn(file)).toEqual(['third']);
  });

  it('after another process rotated the file, the next check follows the path to the new file', async () => {
    let clock = 0;
    const tracer = tracerTo({ recheckMs: 1000, now: () => clock });
    await tracer.span('before');
    renameSync(file, `${file}.1`);
    clock = 500;
    await tracer.span('within the check interval');
    clock = 1500;
    await tracer.span('after the check');
    await tracer.shutdown();
    expect(spanNamesIn(`${file}.1`)).toEqual(['before', 'within the check interval']);
    expect(spanNamesIn(file)).toEqual(['after the check']);
  });

  it('a device given as the file (TRACES_FILE=/dev/null) is written to and never renamed', async () => {
    // Through a link in the test's folder, so that a failure renames the link, not the device.
    const device = path.join(dir, 'null');
    symlinkSync('/dev/null', device);
    const exporter = new OtlpJsonFileExporter(device, { rotateBytes: 10 });
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    for (const name of ['one', 'two', 'three']) {
      provider.getTracer('test').startSpan(name).end();
      await provider.forceFlush();
    }
    await provider.shutdown();
    expect(existsSync(`${device}.1`)).toBe(false);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });
});
