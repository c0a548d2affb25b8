import type { BatchEvent } from '../batching/batch-events.js';

/**
 * An object created or deleted in a storage location, as every automation
 * sees it: the batching fields plus what a StorageEventTask's trigger carries.
 */
export interface ObjectEvent extends BatchEvent {
  readonly size?: number | undefined;
  readonly etag?: string | undefined;
  readonly versionId?: string | undefined;
  /** The delivery that carried it (an SQS message id), to report partial batch failures. */
  readonly deliveryId?: string | undefined;
  /**
   * The id of the event itself (EventBridge's `id`): unlike the SQS message
   * id, an SQS retry and a redrive from a dead-letter queue keep it.
   */
  readonly eventId?: string | undefined;
}

/**
 * The identity of an object event across deliveries: S3's sequencer when it
 * has one, else the version id or etag. Used in idempotency keys so that a
 * duplicate delivery submits no second job.
 *
 * @example
 * ```ts
 * eventIdentity({ bucket: 'b', key: 'k', type: 'created', time: 0, sequencer: '0A1B' }); // '0A1B'
 * ```
 */
export function eventIdentity(event: ObjectEvent): string {
  return event.sequencer ?? event.versionId ?? event.etag ?? String(event.time);
}
