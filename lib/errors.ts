import { ValidationError } from '../lambdas/core/errors.js';

/**
 * A `bucketflow:*` context value (cdk.json or `cdk synth -c key=value`) is
 * missing, malformed or out of range. The message names the context key, the
 * value given and how to fix it.
 */
export class InvalidContextError extends ValidationError {}

/**
 * A construct was given props or wiring that cannot deploy (a duplicate source
 * bucket, a cluster slug that makes an SQS queue name too long, ...). Raised at
 * synth time, before anything reaches CloudFormation.
 */
export class InvalidConstructPropsError extends ValidationError {}
