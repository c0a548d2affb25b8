import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ValidationError } from '../../../core/errors.js';
import type { LogLevel, LogRecord } from '../../../sdk/task-logger.js';
import type { TaskLogQuery } from '../../local/local-task-log.js';

/** Keys of a Powertools line that the record carries as its level, message and time. */
const ENVELOPE_KEYS = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate']);
const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

export interface CloudWatchTaskLogOptions {
  /** Only `send` is used, so tests may pass a stand-in. */
  readonly client: Pick<CloudWatchLogsClient, 'send'>;
  /** The log groups of the runner functions (the stack connection's `taskLogGroups`). */
  readonly logGroups: readonly string[];
  /** Epoch ms from which to search: the job's creation, so that older streams are not scanned. */
  readonly startTime: number;
}

/**
 * A job's task log lines on AWS: FilterLogEvents on every runner function's
 * log group with a JSON filter pattern on the Powertools lines' `jobId` (and
 * `taskId`), all pages, merged in time order.
 *
 * @throws ValidationError for an id that cannot be put in a filter pattern.
 * @example
 * ```ts
 * const lines = await readCloudWatchTaskLogs({ jobId }, { client, logGroups, startTime: job.createdAt });
 * ```
 */
export async function readCloudWatchTaskLogs(
  query: TaskLogQuery,
  options: CloudWatchTaskLogOptions,
): Promise<LogRecord[]> {
  const filterPattern = taskFilterPattern(query);
  const records: LogRecord[] = [];
  for (const logGroupName of options.logGroups) {
    let nextToken: string | undefined;
    do {
      const page = await options.client.send(
        new FilterLogEventsCommand({
          logGroupName,
          filterPattern,
          startTime: options.startTime,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const event of page.events ?? []) {
        const record = parseEvent(event);
        if (record) records.push(record);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return records.sort((a, b) => a.time - b.time);
}

/** `{ $.jobId = "…" }`, with `&& $.taskId = "…"` for one task. */
export function taskFilterPattern(query: TaskLogQuery): string {
  const terms = [`$.jobId = "${filterValue('job id', query.jobId)}"`];
  if (query.taskId !== undefined) {
    terms.push(`$.taskId = "${filterValue('--task', query.taskId)}"`);
  }
  return `{ ${terms.join(' && ')} }`;
}

function filterValue(field: string, value: string): string {
  if (!/^[\w.:-]+$/.test(value)) {
    throw new ValidationError(
      field,
      `'${value}' is not an id`,
      'pass the id as bucketflow jobs list / jobs tree print it',
    );
  }
  return value;
}

/** A Powertools JSON line as a record; lines of other writers are skipped. */
function parseEvent(event: FilteredLogEvent): LogRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.message ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const line = parsed as Record<string, unknown>;
  if (typeof line.message !== 'string') return undefined;
  const level = String(line.level ?? 'info').toLowerCase();
  const stamped = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : Number.NaN;
  return {
    level: LEVELS.has(level) ? (level as LogLevel) : 'info',
    message: line.message,
    time: Number.isNaN(stamped) ? (event.timestamp ?? 0) : stamped,
    fields: Object.fromEntries(Object.entries(line).filter(([key]) => !ENVELOPE_KEYS.has(key))),
  };
}
