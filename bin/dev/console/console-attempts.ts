import type { StoredTask } from '../../../lambdas/core/ports/job-store.js';
import { CORRELATION_KEYS, type LogRecord } from '../../../lambdas/sdk/task-logger.js';
import { displayLines } from './console-sources.js';

/** Newest task log lines a job view shows. */
export const MAX_LOG_LINES = 1000;

/** How an attempt ended, as its runner's "task finished" line says. */
export type AttemptOutcome =
  | 'computed'
  | 'failed'
  | 'lease-lost'
  /** The task's current attempt, still holding its lease. */
  | 'running'
  /** No end in the task log: the runner stopped or lost its lease before it could log one. */
  | 'unrecorded';

/**
 * One claim of a task. The job store keeps only the number of attempts and
 * the last runner and error; start, end, duration and each attempt's runner
 * and error come from the runners' "task started" and "task finished" lines.
 */
export interface AttemptView {
  readonly attempt: number;
  readonly runnerId: string | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly outcome: AttemptOutcome;
  readonly error: string | null;
}

/** A task log line as the job view shows it: its own fields as one line of JSON. */
export interface LogLineView {
  readonly time: number;
  readonly level: string;
  readonly taskId: string | null;
  readonly attempt: number | null;
  readonly runnerId: string | null;
  readonly message: string;
  /** The call's own fields (correlation keys left out) as JSON text; empty when none. */
  readonly fields: string;
}

const OUTCOMES: ReadonlySet<string> = new Set(['computed', 'failed', 'lease-lost']);

/** The attempts of `task`, first to last, from the store and the job's log lines. */
export function attemptsOf(task: StoredTask, lines: readonly LogRecord[]): AttemptView[] {
  const marks = new Map<number, { started?: LogRecord; finished?: LogRecord }>();
  for (const line of lines) {
    const { taskId, attempt } = line.fields;
    if (taskId !== task.taskId || typeof attempt !== 'number') continue;
    const mark = marks.get(attempt) ?? {};
    if (line.message === 'task started') mark.started = line;
    else if (line.message === 'task finished') mark.finished = line;
    else continue;
    marks.set(attempt, mark);
  }
  const count = Math.max(task.attempts, ...marks.keys());
  return Array.from({ length: count }, (_, index): AttemptView => {
    const attempt = index + 1;
    const { started, finished } = marks.get(attempt) ?? {};
    const latest = attempt === task.attempts;
    const startedAt = started?.time ?? null;
    const endedAt = finished?.time ?? null;
    const loggedDuration = finished?.fields.durationMs;
    const loggedError = finished?.fields.error;
    const outcome = finished?.fields.outcome;
    return {
      attempt,
      runnerId:
        text(started?.fields.runnerId) ??
        text(finished?.fields.runnerId) ??
        (latest ? (task.runnerId ?? null) : null),
      startedAt,
      endedAt,
      durationMs:
        typeof loggedDuration === 'number'
          ? loggedDuration
          : startedAt !== null && endedAt !== null
            ? endedAt - startedAt
            : null,
      outcome:
        typeof outcome === 'string' && OUTCOMES.has(outcome)
          ? (outcome as AttemptOutcome)
          : latest && task.state === 'RUNNING'
            ? 'running'
            : 'unrecorded',
      error:
        typeof loggedError === 'string'
          ? displayLines(loggedError)
          : latest && finished === undefined && task.state === 'FAILED' && task.lastError
            ? displayLines(task.lastError)
            : null,
    };
  });
}

/** The newest {@link MAX_LOG_LINES} lines, oldest first, for display. */
export function logLines(lines: readonly LogRecord[]): LogLineView[] {
  return lines.slice(-MAX_LOG_LINES).map((line) => {
    const own = Object.entries(line.fields).filter(([key]) => !CORRELATION_KEYS.has(key));
    const attempt = line.fields.attempt;
    return {
      time: line.time,
      level: line.level,
      taskId: text(line.fields.taskId),
      attempt: typeof attempt === 'number' ? attempt : null,
      runnerId: text(line.fields.runnerId),
      message: displayLines(line.message),
      fields: own.length > 0 ? displayLines(JSON.stringify(Object.fromEntries(own))) : '',
    };
  });
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
