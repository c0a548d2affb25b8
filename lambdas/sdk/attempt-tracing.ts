import { type Span, trace } from '@opentelemetry/api';
import { contextOf, inSpan, TRACER_NAME, traceparentOf } from '../adapters/otel/otel-tracing.js';
import { formatTaskIdentifier } from '../core/jobs/task-identifier.js';
import type { TaskMessage } from '../core/ports/task-queue.js';

/**
 * The span of one task attempt, a child of the span its message names (the
 * job's submit, or the attempt that spawned the task), with child spans for
 * its phases. Spans go to the process's global tracer provider: the one
 * `startTracing` registers (local mode, Lambda runners), or the user's own.
 * Without one nothing is recorded, and subtasks keep the message's parent.
 */
export class AttemptTrace {
  readonly #span: Span;
  readonly #parent: string | undefined;

  constructor(span: Span, parent: string | undefined) {
    this.#span = span;
    this.#parent = parent;
  }

  /** What the attempt's subtasks and retries carry: this span, or the message's parent. */
  get traceparent(): string | undefined {
    return traceparentOf(this.#span) ?? this.#parent;
  }

  /**
   * Runs one phase (claim, execute, complete, fail) in a child span, active
   * while it runs: spans that `execute` starts through the OpenTelemetry
   * API become its children.
   */
  phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const parent = trace.setSpan(contextOf(undefined), this.#span);
    return inSpan(tracer(), name, {}, parent, fn);
  }

  /** Adds attributes learnt during the attempt (its outcome). */
  set(attributes: Record<string, string | number | boolean>): void {
    this.#span.setAttributes(attributes);
  }
}

/** Runs `fn` in the span of the attempt `message` may start. */
export function traceAttempt<T>(
  message: TaskMessage,
  runnerId: string,
  fn: (attempt: AttemptTrace) => Promise<T>,
): Promise<T> {
  const attributes = {
    'bucketflow.job.id': message.jobId,
    'bucketflow.task.id': message.taskId,
    'bucketflow.task.attempt': message.attempt,
    'bucketflow.task.identifier': formatTaskIdentifier(message.identifier),
    'bucketflow.runner.id': runnerId,
  };
  const name = `task ${message.identifier.name}`;
  return inSpan(tracer(), name, attributes, contextOf(message.traceparent), (span) =>
    fn(new AttemptTrace(span, message.traceparent)),
  );
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}
