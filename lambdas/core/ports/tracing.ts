/**
 * Spans around the steps of an object's path (ingest, job submit, task
 * attempts), so that one object's upload, its job and every attempt of its
 * tasks form one trace. The core names the spans and their attributes; the
 * adapter (OpenTelemetry) parents each span to the current one and exports
 * them. A span's context leaves a process as a W3C `traceparent`
 * (`00-<trace id>-<span id>-<flags>`), stored with the job and carried by
 * its task messages.
 */
export interface Tracing {
  /**
   * Runs `fn` inside a new span, a child of the span current where it is
   * called. The span ends when `fn` settles, and records its error.
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    fn: (span: ActiveSpan) => Promise<T>,
  ): Promise<T>;
}

/** The span `fn` runs in. */
export interface ActiveSpan {
  /** Its W3C traceparent; undefined when nothing is recorded. */
  readonly traceparent: string | undefined;
  /** Adds attributes learnt while it runs (a job's id once submitted). */
  set(attributes: SpanAttributes): void;
}

/** Attribute values a span takes; undefined ones are left out. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** Records nothing: the default where no tracing is set up. */
export const NO_TRACING: Tracing = {
  span: (_name, _attributes, fn) => fn({ traceparent: undefined, set: () => undefined }),
};

/** A W3C traceparent of version 00: lower-case hex trace id (32) and span id (16), not all zeros. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Whether `text` is a traceparent this product stores and forwards; anything
 * else (a foreign version, a malformed header) is dropped rather than kept.
 *
 * @example
 * ```ts
 * isTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'); // true
 * ```
 */
export function isTraceparent(text: unknown): text is string {
  return typeof text === 'string' && TRACEPARENT.test(text);
}

/**
 * The trace id of a stored traceparent (its second field), or undefined
 * without one: what `jobs trace`, the console and log lines show.
 *
 * @example
 * ```ts
 * traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'); // '4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return isTraceparent(traceparent) ? traceparent.split('-')[1] : undefined;
}
