import { ValidationError } from '../errors.js';

/**
 * An automation definition is invalid: its name, triggers, task or cluster.
 * The field is a path such as `triggers.storage[1].glob`; a wrapped glob,
 * cron or batching error is kept as `cause`.
 */
export class InvalidAutomationError extends ValidationError {}

/**
 * A storage location definition is invalid: its name, bucket or path.
 */
export class InvalidStorageLocationError extends ValidationError {}

/**
 * A cluster name cannot make a slug.
 */
export class InvalidClusterNameError extends ValidationError {}
