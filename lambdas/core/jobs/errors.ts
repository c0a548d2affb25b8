import { BucketflowError, ValidationError } from '../errors.js';

/**
 * A task identifier (name, `vX.Y`) or its string form `name@vX.Y` is malformed.
 */
export class InvalidTaskIdentifierError extends ValidationError {}

/**
 * A task input is not plain JSON data or is too large. `field` is the path of
 * the offending value, such as `input.items[3].when`.
 */
export class InvalidTaskInputError extends ValidationError {}

/**
 * A task option other than input, identifier and dependencies is invalid:
 * display, maxRetries or cluster.
 */
export class InvalidTaskSpecError extends ValidationError {}

/**
 * One task submitted more subtasks than {@link MAX_SUBTASKS_PER_TASK}.
 */
export class TooManySubtasksError extends ValidationError {
  readonly count: number;
  readonly limit: number;

  constructor(field: string, count: number, limit: number) {
    super(
      field,
      `${count} subtasks in one batch, more than the ${limit} a task may submit`,
      'submit fewer subtasks that each submit part of the rest, so the work fans out as a tree',
    );
    this.count = count;
    this.limit = limit;
  }
}

/**
 * A `dependsOn` entry is not an index of another task in the same batch, or
 * the dependencies form a cycle.
 */
export class InvalidDependencyError extends ValidationError {}

/**
 * A task state change that the state machine does not allow, such as leaving
 * COMPUTED. A store raises it when a caller asks for an impossible change; a
 * lost race (the record changed underneath) is the store's own error.
 *
 * @example
 * ```ts
 * assertTaskTransition('COMPUTED', 'QUEUED'); // throws IllegalTransitionError
 * ```
 */
export class IllegalTransitionError extends BucketflowError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string, reason: string, taskId?: string) {
    super(`${taskId ? `task ${taskId}` : 'task'}: cannot go from ${from} to ${to} (${reason})`);
    this.from = from;
    this.to = to;
  }
}

/**
 * A stored task graph is inconsistent: a parent or dependency id names no task
 * of the job, or a dependency is not a sibling. Submission validation prevents
 * this, so it signals corrupted or partially loaded records.
 */
export class InvalidTaskGraphError extends BucketflowError {}

/**
 * The inputs of the ULID encoder or a string given as a ULID are invalid.
 */
export class InvalidIdError extends ValidationError {}

/**
 * A trigger given to `once()`, or one read back from a task input or job
 * record, is malformed. `field` names the offending value.
 */
export class InvalidTriggerError extends ValidationError {}
