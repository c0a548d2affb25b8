import { BucketflowError } from '../errors.js';
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

/** An event that was not published, with the bus's (or our size check's) reason. */
export interface UnpublishedEvent {
  readonly batchId: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Some `objects-batch-ready` events were not published after retries; all
 * the others were. Leave the named batches undispatched so that the sweep
 * publishes them again.
 */
export class EventPublishError extends BucketflowError {
  readonly failed: readonly UnpublishedEvent[];

  constructor(failed: readonly UnpublishedEvent[]) {
    const shown = failed
      .slice(0, 5)
      .map(({ batchId, code, message }) => `${batchId} (${code}: ${message})`)
      .join('; ');
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : '';
    super(
      `objects-batch-ready: ${failed.length} event(s) not published: ${shown}${more} (the batches stay undispatched; publish them again later)`,
    );
    this.failed = failed;
  }

  /** Ids of the batches whose events were not published. */
  get batchIds(): string[] {
    return this.failed.map(({ batchId }) => batchId);
  }
}
