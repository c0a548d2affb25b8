import { BucketflowError, ValidationError } from '../errors.js';

/**
 * Writes to one prefix's batch kept losing to concurrent writers. The
 * events were not applied; the caller reports their deliveries as failed so
 * that the queue redelivers them.
 *
 * @example
 * ```ts
 * throw new BatchContentionError({ automationId: '01J…', bucket: 'b', prefix: 'a/' }, 8);
 * ```
 */
export class BatchContentionError extends BucketflowError {
  constructor(group: { automationId: string; bucket: string; prefix: string }, attempts: number) {
    super(
      `batch of automation ${group.automationId}, s3://${group.bucket}/${group.prefix}: ${attempts} conflicting writes in a row (retry the deliveries; persistent conflicts mean too many concurrent ingest invocations for one prefix)`,
    );
  }
}

/**
 * No closed batch has this id.
 *
 * @example
 * ```ts
 * throw new BatchNotFoundError('01J9Z3…');
 * ```
 */
export class BatchNotFoundError extends BucketflowError {
  readonly batchId: string;

  constructor(batchId: string) {
    super(
      `batch ${batchId}: no closed batch has this id (check the id; open batches have none to dispatch)`,
    );
    this.batchId = batchId;
  }
}

/**
 * A listing's limit is not an integer from 1 to 1,000.
 *
 * @example
 * ```ts
 * throw new InvalidBatchQueryError('limit', 'must be an integer from 1 to 1000, got 0', 'pass e.g. 100');
 * ```
 */
export class InvalidBatchQueryError extends ValidationError {}

/**
 * A closed batch's member records are not all there: they expired (a batch
 * left undispatched for longer than their retention) or were deleted. The
 * batch is not dispatched with fewer members than its count.
 *
 * @example
 * ```ts
 * throw new BatchMembersMissingError('01J9Z3…', 5000, 4200);
 * ```
 */
export class BatchMembersMissingError extends BucketflowError {
  readonly batchId: string;

  constructor(batchId: string, count: number, found: number) {
    super(
      `batch ${batchId}: ${found} of its ${count} member keys are readable; the others expired or were deleted (a batch must be dispatched within the members' retention of 14 days)`,
    );
    this.batchId = batchId;
  }
}
