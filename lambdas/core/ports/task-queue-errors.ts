import { BucketflowError, ValidationError } from '../errors.js';
import type { TaskMessage, TaskReceipt } from './task-queue.js';

/** A message or receipt the queue refused for good, with the queue's reason. */
export interface RefusedEntry<T> {
  readonly entry: T;
  readonly code: string;
  readonly message: string;
}

/**
 * Some task messages could not be sent after retries; all the others were.
 * The tasks stay QUEUED in the job store, so the reconciler sends them again
 * later; a caller may also retry `failed` itself.
 *
 * @example
 * ```ts
 * try { await queue.send(runnable); } catch (error) {
 *   if (error instanceof TaskSendError) log.warn(error.message, { failed: error.failed });
 * }
 * ```
 */
export class TaskSendError extends BucketflowError {
  readonly failed: readonly RefusedEntry<TaskMessage>[];

  constructor(failed: readonly RefusedEntry<TaskMessage>[]) {
    super(
      `task queue: ${failed.length} message(s) not sent after retries: ${summarize(
        failed.map(
          ({ entry, code }) => `${entry.jobId}/${entry.taskId}#${entry.attempt} (${code})`,
        ),
      )} (the tasks stay queued in the job store; the reconciler sends them again)`,
    );
    this.failed = failed;
  }
}

/**
 * Some deliveries could not be acknowledged after retries; they become
 * visible again and their claims are refused as stale, so they are
 * acknowledged then.
 *
 * @example
 * ```ts
 * throw new TaskAckError([{ entry: receipt, code: 'ReceiptHandleIsInvalid', message: '...' }]);
 * ```
 */
export class TaskAckError extends BucketflowError {
  readonly failed: readonly RefusedEntry<TaskReceipt>[];

  constructor(failed: readonly RefusedEntry<TaskReceipt>[]) {
    super(
      `task queue: ${failed.length} message(s) not deleted: ${summarize(
        failed.map(({ entry, code }) => `${entry.queue} (${code})`),
      )} (they will be delivered again and acknowledged as stale)`,
    );
    this.failed = failed;
  }
}

/**
 * A queue name, prefix or queue setting breaks an SQS rule.
 *
 * @example
 * ```ts
 * throw new InvalidTaskQueueError('prefix', 'must be letters, digits, - and _', "use 'bucketflow-tasks-'");
 * ```
 */
export class InvalidTaskQueueError extends ValidationError {}

/** A task queue could neither be found nor created. */
export class TaskQueueUnavailableError extends BucketflowError {}

/** The body of a queue message is not a task message (not written by bucketflow, or damaged). */
export class InvalidTaskMessageError extends ValidationError {}

function summarize(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
