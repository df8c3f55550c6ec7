/**
 * Span exporters that write OTLP JSON (ExportTraceServiceRequest, serialized by
 * @opentelemetry/otlp-transformer): one line per export appended to a file, rotated once it
 * passes a size, or a POST to an OTLP/HTTP collector's /v1/traces.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';
import type { RequestSigner } from './sigv4.js';

/** The spans file is rotated past this size. */
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

export interface FileExporterOptions {
  /** The file is renamed to <file>.1 (replacing the one before) once it grows past this. */
  rotateBytes?: number;
  /** How often the path is checked for a rotation made by another process (ms). */
  recheckMs?: number;
  now?: () => number;
}

/**
 * Appends each export as one line through a descriptor opened once, written synchronously: a
 * line to the page cache takes microseconds, where an asynchronous append (stat, open, write,
 * close on libuv's thread pool) put four round trips at the end of every invocation, before its
 * response. Several processes append to one file (each `sls offline` environment and test
 * process has its own exporter), so O_APPEND keeps their lines whole, and a rotation made by
 * another process is noticed by checking the path's inode at most every `recheckMs`.
 */
export class OtlpJsonFileExporter extends OtlpJsonExporter {
  private fd: number | undefined;
  private inode = 0;
  private size = 0;
  private regularFile = true;
  private checkedAt = -Infinity;
  private readonly rotateBytes: number;
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(
    private readonly file: string,
    options: FileExporterOptions = {},
  ) {
    super();
    this.rotateBytes = options.rotateBytes ?? ROTATE_BYTES;
    this.recheckMs = options.recheckMs ?? 1000;
    this.now = options.now ?? performance.now.bind(performance);
  }

  protected async send(body: Uint8Array): Promise<void> {
    const line = Buffer.concat([body, NEWLINE]);
    const fd = this.descriptor();
    writeSync(fd, line);
    this.size += line.length;
  }

  /** The open descriptor of the file at the path, rotating it first when it is full. */
  private descriptor(): number {
    if (this.fd !== undefined && this.now() - this.checkedAt >= this.recheckMs) {
      this.checkedAt = this.now();
      const current = statOrUndefined(this.file);
      // Rotated or removed by another process: follow the path.
      if (current?.ino !== this.inode) this.close();
      else this.size = current.size;
    }
    if (this.fd !== undefined && this.regularFile && this.size > this.rotateBytes) {
      this.close();
      try {
        renameSync(this.file, `${this.file}.1`);
      } catch {
        // Another process rotated it first.
      }
    }
    if (this.fd === undefined) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
      const opened = fstatSync(this.fd);
      this.inode = opened.ino;
      // A device (TRACES_FILE=/dev/null) is written to, never renamed.
      this.regularFile = opened.isFile();
      this.size = opened.size;
      this.checkedAt = this.now();
    }
    return this.fd;
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  override async shutdown(): Promise<void> {
    this.close();
  }
}

const NEWLINE = Buffer.from('\n');

function statOrUndefined(file: string): { ino: number; size: number } | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
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
