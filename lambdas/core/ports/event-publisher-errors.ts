import { BucketflowError } from '../errors.js';

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
 *
 * @example
 * ```ts
 * throw new EventPublishError([{ batchId: '01J…', code: 'ThrottlingException', message: 'Rate exceeded' }]);
 * ```
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
