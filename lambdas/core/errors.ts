/**
 * Base class of every error bucketflow raises on purpose. Edges (CLI, SDK,
 * handlers) recognise it and print its message as is, without a stack.
 *
 * @example
 * ```ts
 * class InvalidThingError extends BucketflowError {}
 * throw new InvalidThingError('thing: must be positive');
 * ```
 */
export class BucketflowError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value a user wrote is not acceptable. The message names the field, says
 * what is wrong and how to fix it.
 */
export class ValidationError extends BucketflowError {
  readonly field: string;

  constructor(field: string, problem: string, fix?: string, options?: ErrorOptions) {
    super(`${field}: ${problem}${fix ? ` (${fix})` : ''}`, options);
    this.field = field;
  }
}
