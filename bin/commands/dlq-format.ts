import { parseS3EventBridgeMessage } from '../../lambdas/adapters/aws/events/s3-event-parsing.js';
import type {
  DeadLetter,
  DeadLetterQueue,
} from '../../lambdas/adapters/aws/queues/dead-letters.js';
import { escapeForDisplay } from '../../lambdas/core/jobs/text-rules.js';

/** What a dead letter carries, read from its body. */
export interface DeadLetterSummary {
  readonly queue: string;
  readonly kind: DeadLetterQueue['kind'];
  readonly messageId: string;
  /** When it was first sent, ISO-8601. */
  readonly sentAt?: string | undefined;
  readonly receiveCount?: number | undefined;
  /** Ingest events: the object; tasks: the job and task. */
  readonly bucket?: string | undefined;
  readonly key?: string | undefined;
  readonly eventType?: 'created' | 'deleted' | undefined;
  readonly jobId?: string | undefined;
  readonly taskId?: string | undefined;
  readonly attempt?: number | undefined;
  /** The body, when it is neither an S3 event nor a task message. */
  readonly body?: string | undefined;
}

/**
 * Reads a dead letter of `queue`: the object of an ingest event, the job and
 * task of a task message, or the raw body of anything else.
 *
 * @example
 * ```ts
 * summarizeDeadLetter(queue, letter).key; // 'runs/r1/a.txt'
 * ```
 */
export function summarizeDeadLetter(queue: DeadLetterQueue, letter: DeadLetter): DeadLetterSummary {
  const base = {
    queue: queue.name,
    kind: queue.kind,
    messageId: letter.messageId,
    sentAt: letter.sentAt === undefined ? undefined : new Date(letter.sentAt).toISOString(),
    receiveCount: letter.receiveCount,
  };
  if (queue.kind === 'ingest') {
    try {
      const event = parseS3EventBridgeMessage(letter.body);
      return { ...base, bucket: event.bucket, key: event.key, eventType: event.type };
    } catch {
      return { ...base, body: letter.body };
    }
  }
  try {
    const task = JSON.parse(letter.body) as {
      jobId?: unknown;
      taskId?: unknown;
      attempt?: unknown;
    };
    if (typeof task.jobId === 'string' && typeof task.taskId === 'string') {
      return {
        ...base,
        jobId: task.jobId,
        taskId: task.taskId,
        attempt: typeof task.attempt === 'number' ? task.attempt : undefined,
      };
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return { ...base, body: letter.body };
}

/**
 * One line saying what a dead letter is, control characters in keys escaped.
 *
 * @example
 * ```ts
 * describeDeadLetter(queue, letter); // 'ingest event demo/a.txt (created) dead-lettered in bucketflow-ingest-dlq'
 * ```
 */
export function describeDeadLetter(queue: DeadLetterQueue, letter: DeadLetter): string {
  return `${describeSummary(summarizeDeadLetter(queue, letter))} dead-lettered in ${queue.name}`;
}

/** What a summary is about, in a few words. */
export function describeSummary(summary: DeadLetterSummary): string {
  if (summary.key !== undefined) {
    return `ingest event ${escapeForDisplay(`${summary.bucket}/${summary.key}`)} (${summary.eventType})`;
  }
  if (summary.jobId !== undefined) {
    return `task ${summary.taskId} of job ${summary.jobId}${summary.attempt ? ` (attempt ${summary.attempt})` : ''}`;
  }
  return `message ${escapeForDisplay((summary.body ?? '').slice(0, 80))}`;
}
