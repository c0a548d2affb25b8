import { BucketflowError, ValidationError } from '../errors.js';
import type { InvalidGlobError } from '../glob/errors.js';

/**
 * A batching threshold or the prefix depth is out of range. The message names
 * the field, the value given and a value that works.
 */
export class InvalidBatchPolicyError extends ValidationError {}

/**
 * A glob of a batch policy is not valid. Wraps the {@link InvalidGlobError}
 * (kept as `cause`) and names the field, e.g. the pattern's place in a list.
 */
export class InvalidPolicyGlobError extends ValidationError {
  readonly pattern: string;
  /** The pattern with a caret under the character at fault, for terminal output. */
  readonly pointer: string;

  constructor(field: string, cause: InvalidGlobError) {
    super(field, cause.message, undefined, { cause });
    this.pattern = cause.pattern;
    this.pointer = cause.pointer;
  }
}

/**
 * An event handed to the batching core cannot be placed in time.
 */
export class InvalidBatchEventError extends ValidationError {}

/**
 * An event was applied to the open batch of another (bucket, prefix). This is
 * a bug in the caller, which must look up the state by the event's prefix.
 */
export class BatchMismatchError extends BucketflowError {
  constructor(batch: string, event: string) {
    super(`an event of ${event} was applied to the open batch of ${batch}`);
  }
}
