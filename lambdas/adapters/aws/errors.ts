import { BucketflowError } from '../../core/errors.js';

/** A client was pointed at an endpoint that a local run must never reach. */
export class NonLocalEndpointError extends BucketflowError {}
