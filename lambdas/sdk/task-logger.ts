import type { TaskLogger } from './execution-context.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured log line. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  /** Epoch ms. */
  readonly time: number;
  /** The ids the logger is bound to (runnerId, jobId, taskId, attempt) and the call's own fields. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Where log records go; a runner takes one so tests and embedders can capture logs. */
export type LogSink = (record: LogRecord) => void;

/**
 * Writes each record as one JSON line: warnings and errors to stderr, the
 * rest to stdout, so log collectors (CloudWatch, journald) keep the fields.
 *
 * @example
 * ```ts
 * consoleLogSink({ level: 'info', message: 'started', time: Date.now(), fields: { jobId: '01J…' } });
 * ```
 */
export const consoleLogSink: LogSink = (record) => {
  const line = JSON.stringify({
    time: new Date(record.time).toISOString(),
    level: record.level,
    message: record.message,
    ...record.fields,
  });
  if (record.level === 'warn' || record.level === 'error') console.error(line);
  else console.log(line);
};

/**
 * A {@link TaskLogger} that tags every record with `bound` (job and task ids,
 * say); a call's own fields win over bound ones of the same name.
 *
 * @example
 * ```ts
 * const logger = createTaskLogger(consoleLogSink, { jobId, taskId });
 * logger.info('tile written', { key: 'tiles/a1' });
 * ```
 */
export function createTaskLogger(
  sink: LogSink,
  bound: Readonly<Record<string, unknown>>,
  clock: () => number = Date.now,
): TaskLogger {
  const emit =
    (level: LogLevel) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      sink({ level, message, time: clock(), fields: { ...bound, ...fields } });
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
