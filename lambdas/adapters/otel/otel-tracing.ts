import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  type ActiveSpan,
  isTraceparent,
  type SpanAttributes,
  type Tracing,
} from '../../core/ports/tracing.js';

/** The instrumentation scope of every span bucketflow records. */
export const TRACER_NAME = 'bucketflow';

/**
 * {@link Tracing} on the OpenTelemetry API: spans go to whatever tracer
 * provider the process registered (see `startTracing`), and nest through the
 * active context, so spans the user's code starts inside one become its
 * children.
 *
 * @example
 * ```ts
 * const tracing = new OtelTracing();
 * await tracing.span('ingest', { key }, (traceparent) => submit({ traceparent }));
 * ```
 */
export class OtelTracing implements Tracing {
  readonly #tracer: Tracer | undefined;

  /** Without a tracer, each span asks the global provider as it is then (none: nothing recorded). */
  constructor(tracer?: Tracer) {
    this.#tracer = tracer;
  }

  span<T>(
    name: string,
    attributes: SpanAttributes,
    fn: (span: ActiveSpan) => Promise<T>,
  ): Promise<T> {
    const tracer = this.#tracer ?? trace.getTracer(TRACER_NAME);
    return inSpan(tracer, name, attributes, context.active(), (span) =>
      fn({
        traceparent: traceparentOf(span),
        set: (more) => span.setAttributes(defined(more)),
      }),
    );
  }
}

/**
 * Runs `fn` in a new span, child of `parent`, with the span active; ends it
 * when `fn` settles and records a thrown error on it.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: SpanAttributes,
  parent: Context,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes: defined(attributes) }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The span's W3C traceparent; undefined for a span that records nothing. */
export function traceparentOf(span: Span): string | undefined {
  const { traceId, spanId, traceFlags } = span.spanContext();
  const text = `00-${traceId}-${spanId}-${traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
  return span.isRecording() && isTraceparent(text) ? text : undefined;
}

/** A context whose (remote) parent is `traceparent`; the root context without one. */
export function contextOf(traceparent: string | undefined): Context {
  if (!isTraceparent(traceparent)) return ROOT_CONTEXT;
  const [, traceId = '', spanId = '', flags = '00'] = traceparent.split('-');
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  });
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
