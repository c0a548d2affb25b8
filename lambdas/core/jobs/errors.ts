import { BucketflowError, ValidationError } from '../errors.js';

/**
 * A task identifier (name, `vX.Y`) or its string form `name@vX.Y` is malformed.
 *
 * @example
 * ```ts
 * throw new InvalidTaskIdentifierError('identifier.version', "'1.2' is not vX.Y", 'write v1.2');
 * ```
 */
export class InvalidTaskIdentifierError extends ValidationError {}

/**
 * A task input is not plain JSON data or is too large. `field` is the path of
 * the offending value, such as `input.items[3].when`.
 *
 * @example
 * ```ts
 * // input.items[3].when: a Date is not JSON data (convert it with toISOString())
 * throw new InvalidTaskInputError('input.items[3].when', 'a Date is not JSON data', 'convert it with toISOString()');
 * ```
 */
export class InvalidTaskInputError extends ValidationError {}

/**
 * A task option other than input, identifier and dependencies is invalid:
 * display, maxRetries or cluster.
 *
 * @example
 * ```ts
 * throw new InvalidTaskSpecError('task.maxRetries', 'must be an integer from 0 to 100', 'use maxRetries: 5');
 * ```
 */
export class InvalidTaskSpecError extends ValidationError {}

/**
 * One task submitted more subtasks than {@link MAX_SUBTASKS_PER_TASK}.
 *
 * @example
 * ```ts
 * throw new TooManySubtasksError('subtasks', 65, 64);
 * ```
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
 *
 * @example
 * ```ts
 * throw new InvalidDependencyError('subtasks[1].dependsOn[0]', 'points to the task itself', 'remove it');
 * ```
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
 *
 * @example
 * ```ts
 * throw new InvalidTaskGraphError("task 01J…: dependsOn names '01X…', which is not a task of this job");
 * ```
 */
export class InvalidTaskGraphError extends BucketflowError {}

/**
 * The inputs of the ULID encoder or a string given as a ULID are invalid.
 *
 * @example
 * ```ts
 * throw new InvalidIdError('randomBytes', 'must hold 10 bytes, got 4');
 * ```
 */
export class InvalidIdError extends ValidationError {}

/**
 * A trigger given to `once()`, or one read back from a task input or job
 * record, is malformed. `field` names the offending value.
 *
 * @example
 * ```ts
 * throw new InvalidTriggerError('trigger.fireTime', 'is not a valid date', 'pass a Date or an ISO 8601 string');
 * ```
 */
export class InvalidTriggerError extends ValidationError {}
