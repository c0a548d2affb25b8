import type { BatchEvent, BatchStats } from '../batching/batch-events.js';
import type { CloseReason } from '../batching/batch-state.js';
import type { BatchPolicy } from '../batching/batch-thresholds.js';
import { BucketflowError, ValidationError } from '../errors.js';

/** An object event with the delivery that carried it. */
export interface DeliveredBatchEvent extends BatchEvent {
  /**
   * The delivery's identity, e.g. the SQS message id, to report the
   * deliveries of a failed prefix. Duplicates are recognised by (bucket,
   * key, sequencer) whatever delivery carries them.
   */
  readonly deliveryId?: string | undefined;
}

/** The events of one automation from one ingest invocation. */
export interface BatchAggregate {
  readonly automationId: string;
  readonly policy: BatchPolicy;
  readonly events: readonly DeliveredBatchEvent[];
}

/** A closed batch as the store keeps it. Member keys are read with {@link BatchStore.readMembers}. */
export interface BatchRecord {
  /** ULID; a new id for every batch of a prefix, so a closed batch is never reopened. */
  readonly batchId: string;
  readonly automationId: string;
  readonly bucket: string;
  readonly prefix: string;
  /** Counted events (duplicates excluded). */
  readonly count: number;
  /** Epoch ms. */
  readonly firstEventAt: number;
  /** Epoch ms. */
  readonly lastEventAt: number;
  readonly reason: CloseReason;
  /** Epoch ms, event time: the count-reaching or marker event's time, or the quiet / max-age deadline. */
  readonly closedAt: number;
  /** Epoch ms, processing time: when the close was written. */
  readonly writtenAt: number;
  /** UTF-8 bytes of all member keys: whether they fit an event or a task input. */
  readonly keyBytes: number;
  /** Failed dispatch attempts so far. */
  readonly attempts: number;
  /** Why the last dispatch attempt failed (bounded), if one did. */
  readonly lastError?: string | undefined;
  /** Epoch ms, processing time: when the sweep may dispatch it (again); undefined once dispatched. */
  readonly retryAt?: number | undefined;
  /** Epoch ms when {@link BatchStore.markDispatched} recorded its event/job; undefined before. */
  readonly dispatchedAt?: number | undefined;
}

/** An open batch: the current batch of one (automation, bucket, prefix). */
export interface OpenBatchRecord {
  readonly batchId: string;
  readonly automationId: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  /** Epoch ms when it closes unless the count is reached first. */
  readonly dueAt: number;
  readonly dueReason: 'quiet' | 'max-age';
  /** Changes with every write; {@link BatchStore.closeDue} closes only the revision it saw. */
  readonly revision: number;
}

/** A prefix whose events could not be applied; the caller reports their deliveries as failed. */
export interface FailedBatchGroup {
  readonly bucket: string;
  readonly prefix: string;
  readonly error: unknown;
  /** Every event of the aggregate in this prefix (duplicates included), to map back to deliveries. */
  readonly events: readonly DeliveredBatchEvent[];
}

export interface ApplyBatchResult {
  /** Per outcome; `counted` and `duplicates` include the durable duplicate check. Failed prefixes count as read. */
  readonly stats: BatchStats;
  /** Batches these events closed (by count, or an overdue batch of their prefix), members written. */
  readonly closed: readonly BatchRecord[];
  /**
   * Prefixes whose writes failed (throttling, persistent contention). The
   * other prefixes are applied; redelivering only these events is safe.
   */
  readonly failed: readonly FailedBatchGroup[];
}

/**
 * Durable prefix batching: applies each ingest invocation's events with a
 * constant number of writes per prefix, counts every event once whatever
 * its deliveries, closes every batch exactly once with all its members, and
 * keeps closed batches findable until their event/job is dispatched.
 * Times (`now`, `retryAt`) are integer epoch ms up to {@link MAX_BATCH_TIME_MS};
 * any other is refused with {@link InvalidBatchQueryError}.
 */
export interface BatchStore {
  /**
   * Drops deleted, ignored and duplicate events (a duplicate is a
   * (bucket, key, sequencer) already counted, by any delivery, in this call
   * or any other, retries of the same delivery included), appends the rest
   * to the open batch of their prefix and closes batches that reach the
   * count threshold, meet their marker or were overdue when an event
   * arrived. Counting an event, recording it and writing its member key are
   * one conditional write. Closed batches are returned with every member
   * written; dispatch them, then {@link markDispatched}.
   *
   * @example
   * ```ts
   * const { closed } = await store.apply({ automationId, policy, events }, Date.now());
   * ```
   */
  apply(aggregate: BatchAggregate, now: number): Promise<ApplyBatchResult>;

  /**
   * Open batches that may be due at `now` (their sweep mark has passed),
   * read from an index, earliest first; {@link closeDue} decides.
   */
  findDue(now: number, limit: number): Promise<OpenBatchRecord[]>;

  /**
   * Every automation's open batches, earliest deadline first, at most
   * `limit` (1 to 1,000): read from the same index as {@link findDue}, for
   * consoles and listings.
   */
  listOpen(limit: number): Promise<OpenBatchRecord[]>;

  /**
   * Closes a batch {@link findDue} returned, at its deadline, unless an ingest
   * moved its deadline past `now` (then its sweep mark moves to the new
   * deadline) or closed it first. Undefined when not closed here. The closed
   * batch waits `dispatchLeaseMs` (processing time) before the sweep's
   * {@link findUndispatched} offers it, leaving it to this caller.
   */
  closeDue(batch: OpenBatchRecord, now: number): Promise<BatchRecord | undefined>;

  /**
   * Closed batches not yet dispatched whose retry time (processing time:
   * the close plus a lease, or the backoff after a failed attempt) is at or
   * before `now`, earliest first. Batches closed moments ago by a running
   * invocation are not among them, whatever their event times.
   */
  findUndispatched(now: number, limit: number): Promise<BatchRecord[]>;

  /**
   * Takes a batch {@link findUndispatched} returned for `leaseMs`, so that
   * concurrent sweeps do not dispatch it twice; false when another did.
   */
  leaseDispatch(batch: BatchRecord, now: number, leaseMs: number): Promise<boolean>;

  /** Records that the batch's event/job was sent; true for the call that recorded it, false after. */
  markDispatched(batchId: string, now: number): Promise<boolean>;

  /** Records a failed dispatch attempt: the error (bounded) and when to try again. */
  recordDispatchFailure(batchId: string, error: string, retryAt: number): Promise<void>;

  /** Every closed batch not yet dispatched, oldest close first, at most `limit` (1 to 1,000). */
  listUndispatched(limit: number): Promise<BatchRecord[]>;

  /**
   * Every member key of a batch, in the order written (paginated reads).
   * Throws BatchMembersMissingError when some are gone (expired).
   */
  readMembers(batchId: string): Promise<string[]>;

  /** The member keys of a batch page by page, in order, for batches too large to hold at once. */
  memberPages(batchId: string): AsyncIterable<readonly string[]>;

  /** A closed batch, or undefined when no batch with this id has closed. */
  findClosed(batchId: string): Promise<BatchRecord | undefined>;

  /** The open batch of a prefix, if any. */
  findOpen(
    automationId: string,
    bucket: string,
    prefix: string,
  ): Promise<OpenBatchRecord | undefined>;
}

/**
 * Writes to one prefix's batch kept losing to concurrent writers. The
 * events were not applied; the caller reports their deliveries as failed so
 * that the queue redelivers them.
 */
export class BatchContentionError extends BucketflowError {
  constructor(group: { automationId: string; bucket: string; prefix: string }, attempts: number) {
    super(
      `batch of automation ${group.automationId}, s3://${group.bucket}/${group.prefix}: ${attempts} conflicting writes in a row (retry the deliveries; persistent conflicts mean too many concurrent ingest invocations for one prefix)`,
    );
  }
}

/** No closed batch has this id. */
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
 * The latest time a batch store takes, 9999-12-31T23:59:59.999Z: times it
 * derives from it (expiries, leases, retention) stay exact integers, which a
 * time such as `Number.MAX_SAFE_INTEGER` would not.
 */
export const MAX_BATCH_TIME_MS = 253_402_300_799_999;

/**
 * An argument of a batch-store call is out of range: a listing's limit that
 * is not an integer from 1 to 1,000, or a time (`now`, `retryAt`) that is not
 * an integer epoch ms from 0 to {@link MAX_BATCH_TIME_MS}.
 */
export class InvalidBatchQueryError extends ValidationError {}

/**
 * A closed batch's member records are not all there: they expired (a batch
 * left undispatched for longer than their retention) or were deleted. The
 * batch is not dispatched with fewer members than its count.
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
