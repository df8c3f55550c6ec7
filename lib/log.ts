import { trace } from '@opentelemetry/api';

/**
 * One-line JSON logs, with the active span's traceId and spanId when a span is active. Values under
 * keys that look secret are replaced, and strings are passed through JSON.stringify, so a newline in
 * user input cannot forge a log line. LOG_LEVEL sets the threshold.
 *
 * Not Powertools' Logger: its correlation is X-Ray's trace header, not the W3C context of the
 * active OpenTelemetry span, and it has no redaction, so both would stay hand-written around it,
 * for 23 KiB more in every bundle. What it would add is debug-log sampling, which nothing here uses.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential|dsn|connection.?string/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]),
  );
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? 'info').toLowerCase() as Level;
  return ORDER[level] ?? ORDER.info;
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold()) return;
  const span = trace.getActiveSpan()?.spanContext();
  const line = JSON.stringify({
    level,
    message,
    time: new Date().toISOString(),
    ...(span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {}),
    ...(redact(fields) as object),
  });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
