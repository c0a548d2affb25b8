import { appendFileSync, createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LogLevel, LogRecord, LogSink } from '../../sdk/task-logger.js';

/** The task log of a local data directory: every runner line, one JSON per line. */
export const LOCAL_TASK_LOG_FILE = 'task-logs.jsonl';

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/** Which lines to read: one job's, or one task's of it. */
export interface TaskLogQuery {
  readonly jobId: string;
  readonly taskId?: string | undefined;
}

/**
 * The durable task log of local mode, what CloudWatch Logs is on AWS: the
 * in-process runners of `bucketflow dev` and `bucketflow runner` on a local
 * connection append their lines (with the correlation keys) to one file in
 * the data directory, and `bucketflow jobs logs` reads a job's lines back.
 * Each line is one synchronous append, so lines of several processes never
 * interleave and a crash loses no line already logged.
 *
 * @example
 * ```ts
 * const log = new LocalTaskLog(dataDir);
 * const runner = client.runner({ cluster, tasks, logSink: log.sink });
 * for (const line of await log.read({ jobId })) console.log(line.message);
 * ```
 */
export class LocalTaskLog {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, LOCAL_TASK_LOG_FILE);
  }

  /** Appends a record; a line that cannot be written is dropped rather than failing the task. */
  readonly sink: LogSink = (record) => {
    const line = {
      time: record.time,
      level: record.level,
      message: record.message,
      ...record.fields,
    };
    try {
      appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    } catch {
      // The data directory gone (a test's cleanup, say): the console still has the line.
    }
  };

  /** The lines of the job (and task) in the order they were written. */
  async read(query: TaskLogQuery): Promise<LogRecord[]> {
    if (!existsSync(this.path)) return [];
    const records: LogRecord[] = [];
    const lines = createInterface({ input: createReadStream(this.path), crlfDelay: Infinity });
    for await (const text of lines) {
      // Cheap test first: most lines of a long-lived data directory belong to other jobs.
      if (!text.includes(query.jobId)) continue;
      const record = parseLine(text);
      if (record === undefined || record.fields.jobId !== query.jobId) continue;
      if (query.taskId !== undefined && record.fields.taskId !== query.taskId) continue;
      records.push(record);
    }
    return records;
  }
}

/** A line of the file, or undefined for one cut short by a crash. */
function parseLine(text: string): LogRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { time, level, message, ...fields } = parsed as Record<string, unknown>;
  if (typeof time !== 'number' || typeof message !== 'string') return undefined;
  const known = typeof level === 'string' && LEVELS.has(level);
  return { time, level: known ? (level as LogLevel) : 'info', message, fields };
}
