import { ValidationError } from '../lambdas/core/errors.js';

/**
 * A `bucketflow:*` context value (cdk.json or `cdk synth -c key=value`) is
 * missing, malformed or out of range. The message names the context key, the
 * value given and how to fix it.
 *
 * @example
 * ```ts
 * throw new InvalidContextError('bucketflow:ingestBatchSize', 'must be an integer 1-10000, got 0', 'use 1000');
 * ```
 */
export class InvalidContextError extends ValidationError {}

/**
 * A construct was given props or wiring that cannot deploy (a duplicate source
 * bucket, a cluster slug that makes an SQS queue name too long, ...). Raised at
 * synth time, before anything reaches CloudFormation.
 *
 * @example
 * ```ts
 * throw new InvalidConstructPropsError('cluster', 'is 70 characters long', 'use at most 59 characters');
 * ```
 */
export class InvalidConstructPropsError extends ValidationError {}
