import { BucketflowError, ValidationError } from '../../lambdas/core/errors.js';

/** The config file of `bucketflow dev` is missing, does not load, or exports no config. */
export class ConfigFileError extends ValidationError {}

/** A step of `bucketflow dev` failed in a way the user can act on (a port in use, say). */
export class DevStackError extends BucketflowError {}
