/**
 * W3C trace context across the pipeline, with OpenTelemetry. Each function starts one tracer
 * provider per container; spans go to an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (deployed: CloudWatch's OTLP traces endpoint, https://xray.<region>.amazonaws.com, signed with SigV4),
 * else, locally, as OTLP JSON lines to TRACES_FILE (default <state folder>/traces/spans.jsonl
 * under sls offline; `none`: spans are made, for the ids in logs and messages, but not exported).
 * OTEL_SDK_DISABLED=true turns tracing off (the API then does nothing).
 * Trace context travels in each event's metadata (`traceparent`) and in the Kafka message's
 * `traceparent` header, so the projection links its batch to the commands that produced it.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import path from 'node:path';
import { OtlpJsonFileExporter, OtlpJsonHttpExporter } from './exporters.js';
import { awsEndpointOf, sigV4Signer } from './sigv4.js';

export { SpanKind };

let provider: TracerProvider | undefined;

/** An OTLP/HTTP exporter to `endpoint`, signing with SigV4 when it is an AWS endpoint (CloudWatch's OTLP traces endpoint). */
function httpExporter(endpoint: string): OtlpJsonHttpExporter {
  const aws = awsEndpointOf(new URL(endpoint));
  return new OtlpJsonHttpExporter(endpoint, aws && sigV4Signer(aws.service, aws.region));
}

/** The file spans are appended to, or why there is none (exported to a collector, or not at all). */
export function spansFile(env: NodeJS.ProcessEnv): string | { unavailable: string } {
  if (env.OTEL_SDK_DISABLED === 'true') return { unavailable: 'tracing is off (OTEL_SDK_DISABLED=true)' };
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT)
    return { unavailable: 'spans go to the collector at OTEL_EXPORTER_OTLP_ENDPOINT' };
  const offline = Boolean(env.IS_OFFLINE) || !env.AWS_LAMBDA_FUNCTION_NAME;
  const file =
    env.TRACES_FILE ??
    (offline ? path.join(env.CQRS_STATE_DIR || '.local', 'traces', 'spans.jsonl') : undefined);
  if (file === undefined) return { unavailable: 'deployed functions keep no spans file' };
  if (file === 'none') return { unavailable: 'spans are not exported (TRACES_FILE=none)' };
  return path.resolve(file);
}

function spanProcessors(env: NodeJS.ProcessEnv): SpanProcessor[] {
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT)
    return [new BatchSpanProcessor({ exporter: httpExporter(env.OTEL_EXPORTER_OTLP_ENDPOINT) })];
  const file = spansFile(env);
  return typeof file === 'string'
    ? [new BatchSpanProcessor({ exporter: new OtlpJsonFileExporter(file) })]
    : [];
}

/** Starts tracing for this container once (a second call is a no-op). */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (provider || env.OTEL_SDK_DISABLED === 'true') return;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: spanProcessors(env),
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

/**
 * Turns tracing off and on again in this process, so the bench can run the same function with and
 * without it in one run. Off, the API hands out non-recording spans and propagates nothing.
 */
export function setTracingEnabled(enabled: boolean): void {
  if (!provider) return;
  if (enabled) {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  } else {
    trace.disable();
    propagation.disable();
  }
}

/** Exports what is pending; the end of each invocation calls it, as Lambda may freeze the container after. */
export async function flushTraces(): Promise<void> {
  await provider?.forceFlush().catch(() => undefined);
}

const tracer = () => trace.getTracer('cqrs-es');

/** The context a `traceparent` value names (the root context when absent or invalid). */
export function contextFrom(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** The active span's context as a `traceparent` value, if a span is active. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs `work` in a new active span (a child of the active one, or of `parent`), ended and marked failed on a throw. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: options.links },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A link to the span a `traceparent` names, or none. */
export function linkTo(traceparent: string | undefined): Link[] {
  const spanContext = trace.getSpanContext(contextFrom(traceparent));
  return spanContext ? [{ context: spanContext }] : [];
}

/** The active span's ids, for log lines. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext)
    ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
    : undefined;
}

/** The trace id a `traceparent` names. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return trace.getSpanContext(contextFrom(traceparent))?.traceId;
}
