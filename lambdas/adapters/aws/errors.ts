import { BucketflowError } from '../../core/errors.js';

/** A client was pointed at an endpoint that a local run must never reach. */
export class NonLocalEndpointError extends BucketflowError {}

/** SQS refused task messages even after retries; the reconciler re-sends runnable tasks. */
export class TaskSendError extends BucketflowError {}

/** EventBridge refused events even after retries; the sweep re-dispatches undispatched batches. */
export class EventPublishError extends BucketflowError {}
