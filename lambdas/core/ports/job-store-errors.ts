import { BucketflowError, ValidationError } from '../errors.js';

/**
 * No job has this id.
 *
 * @example
 * ```ts
 * throw new JobNotFoundError('01J9Z3…');
 * ```
 */
export class JobNotFoundError extends BucketflowError {
  readonly jobId: string;

  constructor(jobId: string) {
    super(`job ${jobId}: not found (check the id; jobs are never deleted by bucketflow)`);
    this.jobId = jobId;
  }
}

/**
 * The job has no task with this id.
 *
 * @example
 * ```ts
 * throw new TaskNotFoundError('01J9Z3…', '01J9Z4…');
 * ```
 */
export class TaskNotFoundError extends BucketflowError {
  readonly jobId: string;
  readonly taskId: string;

  constructor(jobId: string, taskId: string) {
    super(`task ${taskId} of job ${jobId}: not found (check both ids)`);
    this.jobId = jobId;
    this.taskId = taskId;
  }
}

/**
 * A runner asked to heartbeat, complete or fail an attempt it no longer
 * holds: the lease expired and the task was re-queued or failed, another
 * attempt claimed it, or the attempt was already recorded. The runner must
 * stop working on the task and drop its result.
 *
 * @example
 * ```ts
 * throw new LeaseLostError('01J…', '01J…', 3, 'the task is QUEUED (attempt 3 is no longer running)');
 * ```
 */
export class LeaseLostError extends BucketflowError {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;

  constructor(jobId: string, taskId: string, attempt: number, reason: string) {
    super(
      `task ${taskId} of job ${jobId}, attempt ${attempt}: lease lost, ${reason} (stop working on it; its result is dropped)`,
    );
    this.jobId = jobId;
    this.taskId = taskId;
    this.attempt = attempt;
  }
}

/**
 * The subtasks of one completion are too large to write in one transaction
 * (DynamoDB allows 4 MB per TransactWriteItems).
 *
 * @example
 * ```ts
 * throw new SubtaskBatchTooLargeError('subtasks', 5_000_000, 3_145_728);
 * ```
 */
export class SubtaskBatchTooLargeError extends ValidationError {
  constructor(field: string, bytes: number, limit: number) {
    super(
      field,
      `the inputs add up to ${bytes} bytes of JSON, more than the ${limit} one completion may write`,
      'put large data in the bucket and pass keys, or let fewer subtasks each submit part of the work',
    );
  }
}

/**
 * An idempotency key is empty or too long to be a DynamoDB key.
 *
 * @example
 * ```ts
 * throw new InvalidIdempotencyKeyError('idempotencyKey', 'must not be empty');
 * ```
 */
export class InvalidIdempotencyKeyError extends ValidationError {}

/**
 * A job store write kept colliding with concurrent writes to the same job and
 * gave up; the caller may retry the whole operation.
 *
 * @example
 * ```ts
 * throw new JobStoreContentionError('complete task 01J…', 8);
 * ```
 */
export class JobStoreContentionError extends BucketflowError {
  constructor(operation: string, attempts: number) {
    super(
      `${operation}: still conflicting with concurrent writes to the same job after ${attempts} attempts (retry later)`,
    );
  }
}

/**
 * A job query is malformed: a bad time range, page size or cursor.
 *
 * @example
 * ```ts
 * throw new InvalidJobQueryError('to', 'must be greater than from', 'pass a range [from, to)');
 * ```
 */
export class InvalidJobQueryError extends ValidationError {}
