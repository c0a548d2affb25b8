import type { TaskLogger } from './execution-context.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured log line. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  /** Epoch ms. */
  readonly time: number;
  /**
   * The correlation keys the logger is bound to (jobId, taskId, attempt, the
   * trigger's automation, bucket, key, batchId; runnerId on the runner's own
   * lines) and the call's own fields.
   */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The keys a runner binds to a task's lines (who ran which attempt of what
 * job, for which trigger), as opposed to the fields of one call.
 */
export const CORRELATION_KEYS: ReadonlySet<string> = new Set([
  'jobId',
  'taskId',
  'attempt',
  'runnerId',
  'identifier',
  'automation',
  'bucket',
  'key',
  'batchId',
  'prefix',
  'fireTime',
  'traceId',
]);

/** Where log records go; a runner takes one so tests and embedders can capture logs. */
export type LogSink = (record: LogRecord) => void;

/** A {@link TaskLogger} bound to correlation keys, from which loggers with more keys derive. */
export interface BoundLogger extends TaskLogger {
  /** A logger whose lines carry this one's keys and `keys` (which win on a clash). */
  child(keys: Readonly<Record<string, unknown>>): BoundLogger;
}

/**
 * A {@link BoundLogger} that tags every record with `bound` (job and task ids,
 * say); a call's own fields win over bound ones of the same name.
 *
 * @example
 * ```ts
 * const logger = createTaskLogger(powertoolsLogSink(), { jobId, taskId });
 * logger.child({ attempt: 2 }).info('tile written', { key: 'tiles/a1' });
 * ```
 */
export function createTaskLogger(
  sink: LogSink,
  bound: Readonly<Record<string, unknown>>,
  clock: () => number = Date.now,
): BoundLogger {
  const emit =
    (level: LogLevel) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      sink({ level, message, time: clock(), fields: { ...bound, ...fields } });
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (keys) => createTaskLogger(sink, { ...bound, ...keys }, clock),
  };
}

/**
 * A sink that passes each record to every one of `sinks` (the console and a
 * local task log, say); a sink that throws does not keep the others from it.
 *
 * @example
 * ```ts
 * const sink = teeLogSink(powertoolsLogSink(), (record) => records.push(record));
 * ```
 */
export function teeLogSink(...sinks: readonly LogSink[]): LogSink {
  return (record) => {
    for (const sink of sinks) {
      try {
        sink(record);
      } catch {
        // Logging must never fail the task it describes.
      }
    }
  };
}
