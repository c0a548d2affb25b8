import { BucketflowError } from '../../core/errors.js';

/** A local server (DynamoDB Local, the SQS or S3 server) could not be started or used. */
export class LocalServerError extends BucketflowError {}
