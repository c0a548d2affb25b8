import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Tracing } from '../../core/ports/tracing.js';
import { JsonlSpanExporter } from './jsonl-span-exporter.js';
import { OtelTracing, TRACER_NAME } from './otel-tracing.js';

export interface TracingSetupOptions {
  /** The `service.name` of the spans, e.g. `bucketflow-ingest` or `bucketflow-runner`. */
  readonly serviceName: string;
  /** Local trace file (local mode: `<data-dir>/traces.jsonl`). */
  readonly file?: string | undefined;
  /**
   * The process environment: with `OTEL_EXPORTER_OTLP_ENDPOINT` or
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` set, spans are also exported over
   * OTLP/HTTP (to a collector, Jaeger, or the ADOT Lambda extension).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** More exporters (tests use an in-memory one). */
  readonly exporters?: readonly SpanExporter[];
  /** Export spans in batches (functions, flushed per invocation) rather than one by one. @default false */
  readonly batch?: boolean;
}

/** Tracing as set up: the port for the services, and the provider's flush and shutdown. */
export interface StartedTracing {
  readonly tracing: Tracing;
  /** Whether any exporter is configured: without one, spans are not recorded at all. */
  readonly exporting: boolean;
  /** Exports what has ended; functions call it before an invocation returns. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Sets up OpenTelemetry tracing for this process: a tracer provider with the
 * exporters the options name, registered as the global provider (so spans a
 * user's task code starts through `@opentelemetry/api` are exported with
 * bucketflow's, as their children), an AsyncLocalStorage context manager and
 * the W3C trace-context propagator. Registration is left as it is where the
 * process already registered its own; bucketflow's spans then still go to
 * the exporters given here.
 *
 * @example
 * ```ts
 * const { tracing, flush } = startTracing({ serviceName: 'bucketflow-dev', file: join(dataDir, 'traces.jsonl') });
 * ```
 */
export function startTracing(options: TracingSetupOptions): StartedTracing {
  const exporters: SpanExporter[] = [...(options.exporters ?? [])];
  if (options.file) exporters.push(new JsonlSpanExporter(options.file));
  const env = options.env ?? {};
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    exporters.push(new OTLPTraceExporter());
  }
  const processors: SpanProcessor[] = exporters.map((exporter) =>
    options.batch ? new BatchSpanProcessor({ exporter }) : new SimpleSpanProcessor({ exporter }),
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  registerContextOnce();
  if (exporters.length > 0) trace.setGlobalTracerProvider(provider);
  return {
    tracing: new OtelTracing(provider.getTracer(TRACER_NAME)),
    exporting: exporters.length > 0,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Whether this process's context manager and propagator were registered (by bucketflow or before it). */
let contextRegistered = false;

/**
 * Registers an AsyncLocalStorage context manager and the W3C propagator,
 * once per process: OpenTelemetry keeps the first registration, so a
 * manager made on a later call would stay enabled with nothing using it.
 * Where the process registered its own first, ours is disabled again.
 */
function registerContextOnce(): void {
  if (contextRegistered) return;
  contextRegistered = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}
