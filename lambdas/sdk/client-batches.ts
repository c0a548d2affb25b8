import { ValidationError } from '../core/errors.js';
import type { BatchRecord, BatchStore } from '../core/ports/batch-store.js';

/** Most batches one listing returns. */
const MAX_LIMIT = 1000;

/**
 * Closed batches, reached as `client.batches`: those whose dispatch keeps
 * failing, and the member keys of any closed batch.
 *
 * @example
 * ```ts
 * for (const batch of await client.batches.stuck()) console.log(batch.batchId, batch.lastError);
 * ```
 */
export class ClientBatches {
  readonly #store: BatchStore | undefined;

  constructor(store: BatchStore | undefined) {
    this.#store = store;
  }

  /**
   * Closed batches not dispatched yet whose dispatch failed at least once,
   * oldest close first, with their attempts, last error and next retry.
   * They delay no other batch; the sweep retries each with backoff.
   */
  async stuck(limit = 100): Promise<BatchRecord[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ValidationError(
        'limit',
        `must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`,
        'pass e.g. 100',
      );
    }
    const undispatched = await this.#batches().listUndispatched(MAX_LIMIT);
    return undispatched.filter((batch) => batch.attempts > 0).slice(0, limit);
  }

  /** The member keys of a closed batch, in order, page by page from the batches table. */
  async *members(batchId: string): AsyncGenerator<string> {
    for await (const page of this.#batches().memberPages(batchId)) yield* page;
  }

  #batches(): BatchStore {
    if (this.#store === undefined) {
      throw new ValidationError(
        'tables.batches',
        'this client was built without the batches table',
        'pass tables.batches (BUCKETFLOW_BATCHES_TABLE) to Client.fromEndpoints, or build it with Client.fromConnection',
      );
    }
    return this.#store;
  }
}
