/**
 * Spans reach an OTLP/HTTP endpoint as OTLP JSON; an AWS endpoint (CloudWatch's OTLP traces
 * endpoint, which accepts only SigV4-signed requests) gets them signed with the function's own
 * credentials, scoped to the endpoint's service and region.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtlpJsonHttpExporter } from '../../lib/telemetry/exporters.js';
import { awsEndpointOf, sigV4Signer, type RequestSigner } from '../../lib/telemetry/sigv4.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.headers['x-refuse'])
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"not authorised"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function exportOneSpan(sign?: RequestSigner): Promise<Received> {
  received.length = 0;
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OtlpJsonHttpExporter(`${endpoint}/`, sign) })],
  });
  provider.getTracer('test').startSpan('POST /users').end();
  await provider.forceFlush();
  await provider.shutdown();
  expect(received).toHaveLength(1);
  return received[0]!;
}

function spanNames(body: string): string[] {
  const request = JSON.parse(body) as {
    resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
  };
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
}

describe('trace export over OTLP/HTTP', () => {
  it('a refused export is logged with the answer, at most once a minute, and drops only the spans', async () => {
    const made: ReadableSpan[] = [];
    const keep: SpanExporter = {
      export: (spans, done) => {
        made.push(...spans);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => {},
    };
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: keep })] });
    provider.getTracer('test').startSpan('first').end();
    provider.getTracer('test').startSpan('second').end();
    await provider.shutdown();

    const refuse: RequestSigner = async (_url, headers) => ({ ...headers, 'x-refuse': 'yes' });
    const exporter = new OtlpJsonHttpExporter(endpoint, refuse);
    const lines: string[] = [];
    const spy = jest
      .spyOn(console, 'error')
      .mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      for (const span of made) {
        const result = await new Promise<ExportResult>((done) => exporter.export([span], done));
        expect(result.code).toBe(ExportResultCode.FAILED);
      }
    } finally {
      spy.mockRestore();
    }
    const failures = lines.map((line) => JSON.parse(line)).filter((l) => l.message === 'trace-export-failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 'warn', spans: 1 });
    expect(failures[0].reason).toContain('403');
    expect(failures[0].reason).toContain('not authorised');
  });

  it('posts the spans as OTLP JSON to <endpoint>/v1/traces', async () => {
    const got = await exportOneSpan();
    expect(got.path).toBe('/v1/traces');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.authorization).toBeUndefined();
    expect(spanNames(got.body)).toEqual(['POST /users']);
  });

  it('an AWS endpoint is recognised by its host, with its service and region; any other host is not', () => {
    expect(awsEndpointOf(new URL('https://xray.eu-west-1.amazonaws.com'))).toEqual({
      service: 'xray',
      region: 'eu-west-1',
    });
    expect(awsEndpointOf(new URL('https://xray.us-gov-west-1.amazonaws.com/'))).toEqual({
      service: 'xray',
      region: 'us-gov-west-1',
    });
    expect(awsEndpointOf(new URL('http://localhost:4318'))).toBeUndefined();
    expect(awsEndpointOf(new URL('https://collector.example.com'))).toBeUndefined();
  });

  it('requests to an AWS endpoint are signed with SigV4 by the function credentials, for that service and region', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEFUNCTION',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
      AWS_SESSION_TOKEN: 'session-token-of-the-role',
    });
    try {
      const got = await exportOneSpan(sigV4Signer('xray', 'eu-west-1'));
      const authorization = String(got.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEFUNCTION\/\d{8}\/eu-west-1\/xray\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
      );
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
      expect(signedHeaders).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date']));
      expect(got.headers['x-amz-security-token']).toBe('session-token-of-the-role');
      expect(authorization).not.toContain('not-a-real-secret');
      expect(spanNames(got.body)).toEqual(['POST /users']);
    } finally {
      process.env = saved;
    }
  });
});
