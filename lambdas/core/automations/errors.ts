import { ValidationError } from '../errors.js';

/**
 * An automation definition is invalid: its name, triggers, task or cluster.
 * The field is a path such as `triggers.storage[1].glob`; a wrapped glob,
 * cron or batching error is kept as `cause`.
 *
 * @example
 * ```ts
 * throw new InvalidAutomationError('triggers', 'names no trigger', 'add a storage, batch or cron trigger');
 * ```
 */
export class InvalidAutomationError extends ValidationError {}

/**
 * A storage location definition is invalid: its name, bucket or path.
 *
 * @example
 * ```ts
 * throw new InvalidStorageLocationError('bucket', "'My_Bucket' is not an S3 bucket name", 'use lower case');
 * ```
 */
export class InvalidStorageLocationError extends ValidationError {}

/**
 * A cluster name cannot make a slug.
 *
 * @example
 * ```ts
 * throw new InvalidClusterNameError('name', 'must not be empty', "e.g. 'gpu-runners'");
 * ```
 */
export class InvalidClusterNameError extends ValidationError {}
