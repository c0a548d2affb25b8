import type { BatchRecord } from './batch-store.js';

/**
 * A closed batch to announce, with what the batch record lacks: the
 * automation's name and, when the caller read them, the member keys. The
 * services build it when a batch closes.
 */
export interface BatchToPublish
  extends Pick<
    BatchRecord,
    | 'batchId'
    | 'automationId'
    | 'bucket'
    | 'prefix'
    | 'count'
    | 'firstEventAt'
    | 'lastEventAt'
    | 'reason'
    | 'closedAt'
  > {
  readonly automationName: string;
  /** Member keys as the batch store holds them; absent when not read (the event then points at the store). */
  readonly keys?: readonly string[] | undefined;
}

/**
 * Publishes `objects-batch-ready` events, one per closed batch (shape in
 * docs/events.md). Publishing is at least once: consumers deduplicate on
 * `detail.batchId`.
 *
 * @example
 * ```ts
 * try {
 *   await publisher.publishBatchReady(batches);
 * } catch (error) {
 *   // EventPublishError: error.failed names the batches to leave undispatched.
 * }
 * ```
 */
export interface EventPublisher {
  /**
   * Publishes one event per batch. Throws EventPublishError naming the
   * batches whose events were refused after retries (too large, or still
   * failing); every other event was published.
   */
  publishBatchReady(batches: readonly BatchToPublish[]): Promise<void>;
}
