/**
 * Span exporters that write OTLP JSON (ExportTraceServiceRequest, serialized by
 * @opentelemetry/otlp-transformer): one line per export appended to a file, rotated once it
 * passes a size, or a POST to an OTLP/HTTP collector's /v1/traces.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';
import type { RequestSigner } from './sigv4.js';

/** The file is renamed to <file>.1 (replacing the one before) when it grows past this. */
const ROTATE_BYTES = 50 * 1024 * 1024;

function serialize(spans: ReadableSpan[]): Uint8Array {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('spans did not serialize');
  return bytes;
}

/** A failed export is logged at most this often: spans are dropped, the work they describe is not. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

abstract class OtlpJsonExporter implements SpanExporter {
  private lastFailureLogged = -Infinity;

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.send(serialize(spans)).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => {
        this.logFailure(error, spans.length);
        done({ code: ExportResultCode.FAILED, error });
      },
    );
  }

  private logFailure(error: Error, spans: number): void {
    const now = performance.now();
    if (now - this.lastFailureLogged < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLogged = now;
    log.warn('trace-export-failed', { spans, reason: error.message });
  }

  protected abstract send(body: Uint8Array): Promise<void>;

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

export class OtlpJsonFileExporter extends OtlpJsonExporter {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly file: string) {
    super();
  }

  protected async send(body: Uint8Array): Promise<void> {
    this.ready ??= mkdir(path.dirname(this.file), { recursive: true });
    await this.ready;
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > ROTATE_BYTES) await rename(this.file, `${this.file}.1`).catch(() => undefined);
    await appendFile(this.file, `${Buffer.from(body).toString('utf8')}\n`);
  }
}

export class OtlpJsonHttpExporter extends OtlpJsonExporter {
  private readonly url: URL;

  /**
   * `endpoint` is OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL. `sign` adds
   * authentication headers (SigV4 for an AWS endpoint).
   */
  constructor(
    endpoint: string,
    private readonly sign?: RequestSigner,
  ) {
    super();
    this.url = new URL(`${endpoint.replace(/\/$/, '')}/v1/traces`);
  }

  protected async send(body: Uint8Array): Promise<void> {
    const headers = { 'content-type': 'application/json' };
    const res = await fetch(this.url, {
      method: 'POST',
      headers: this.sign ? await this.sign(this.url, headers, body) : headers,
      body,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`the collector answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}
