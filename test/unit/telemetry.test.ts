/** Log lines written while a span is active name its trace; spans continue a traceparent they are given. */
import { jest } from '@jest/globals';
import { log } from '../../lib/log.js';
import {
  contextFrom,
  currentTraceparent,
  inSpan,
  startTracing,
  traceIdOf,
} from '../../lib/telemetry/tracing.js';

startTracing('unit', { ...process.env, TRACES_FILE: '/dev/null' });

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = `00-${TRACE}-b7ad6b7169203331-01`;

function logged(write: () => void): Record<string, unknown> {
  const lines: string[] = [];
  const spy = jest
    .spyOn(console, 'error')
    .mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    write();
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(lines[0]!);
}

describe('tracing', () => {
  it('a span started under a traceparent continues its trace, and its own traceparent names a new span', async () => {
    const inner = await inSpan('work', { parent: contextFrom(PARENT) }, async () => currentTraceparent());
    expect(traceIdOf(inner)).toBe(TRACE);
    expect(inner).not.toBe(PARENT);
  });

  it('a log line written inside a span carries its traceId and spanId; outside one it carries neither', async () => {
    const inside = await inSpan('work', { parent: contextFrom(PARENT) }, async () =>
      logged(() => log.warn('inside')),
    );
    expect(inside).toMatchObject({
      message: 'inside',
      traceId: TRACE,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const outside = logged(() => log.warn('outside'));
    expect(outside).not.toHaveProperty('traceId');
    expect(outside).not.toHaveProperty('spanId');
  });

  it('an invalid traceparent starts a trace of its own instead of failing', async () => {
    const inner = await inSpan('work', { parent: contextFrom('00-not-a-trace-01') }, async () =>
      currentTraceparent(),
    );
    expect(traceIdOf(inner)).toMatch(/^[0-9a-f]{32}$/);
  });
});
