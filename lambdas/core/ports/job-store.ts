import { BucketflowError, ValidationError } from '../errors.js';
import type { TaskStateCounts } from '../jobs/job-counts.js';
import type { JobRecord, TaskRecord } from '../jobs/records.js';
import type { TaskIdentifier } from '../jobs/task-identifier.js';
import type { TaskSpec } from '../jobs/task-spec.js';
import type { TaskState } from '../jobs/task-state.js';
import type { TaskMessage } from './task-queue.js';

/** A task as the job store keeps it. */
export interface StoredTask extends TaskRecord {
  /** The runner that holds (or last held) the lease. */
  readonly runnerId?: string | undefined;
  /** Epoch ms before which a claim is refused (retry backoff). */
  readonly notBefore: number;
  /** QUEUED and released: its parent is computed and its dependencies settled. */
  readonly runnable: boolean;
  /** Ids of sibling tasks that depend on this one. */
  readonly dependents: readonly string[];
  /** The attempt whose completion computed the task, and that wrote its subtasks. */
  readonly completedAttempt?: number | undefined;
  /** Subtasks written by the completion; undefined before. */
  readonly childCount?: number | undefined;
  /** When the reconciler looks at the task next (lost send, expired lease, pending releases); undefined when it need not. */
  readonly dueAt?: number | undefined;
}

/** A job as the job store keeps it; `state` is derived from `counts` and the flags. */
export interface StoredJob extends JobRecord {
  /** Cluster of the root task. */
  readonly cluster: string;
  /** The trigger (storage event, cron fire time, batch) as JSON text, if any. */
  readonly triggerJson?: string | undefined;
  readonly idempotencyKey?: string | undefined;
  /** The span the job was submitted in (W3C traceparent): its trace id finds the job's trace. */
  readonly traceparent?: string | undefined;
  readonly taskCount: number;
  readonly counts: TaskStateCounts;
}

export interface SubmitJobRequest {
  readonly name: string;
  /** The job's root task; or pass `roots`. */
  readonly root?: TaskSpec | undefined;
  /** Several root tasks (at most 64; `dependsOn` are indices into this list); or pass `root`. */
  readonly roots?: readonly TaskSpec[] | undefined;
  readonly automationId?: string | undefined;
  /** Plain JSON data describing what triggered the job. */
  readonly trigger?: unknown;
  /**
   * A repeated submit with the same key (while the record lives, 18 days by
   * default) returns the first job instead of creating one. Keys used:
   * `storage:<automationId>:<bucket>:<key>:<sequencer>`, `cron:<automationId>:<fireTime>`,
   * `batch:<batchId>`.
   */
  readonly idempotencyKey?: string | undefined;
  /**
   * The time (ms since the epoch) of the fact `idempotencyKey` names, when
   * the key names a fact that happens once and fixes this time: an S3
   * event's sequencer (the event's time), a cron fire time, a batch id. The
   * job id is then derived from the key and this time, so the job item is
   * its own idempotency record: one write less than a record, and a repeat
   * never creates a second job however late it comes. Without it the key
   * is held by a record that expires.
   */
  readonly idempotencyKeyTime?: number | undefined;
  /** The span the job's root tasks run under (W3C traceparent); kept only when well-formed. */
  readonly traceparent?: string | undefined;
}

export interface SubmitJobResult {
  readonly job: StoredJob;
  /** False when the idempotency key named an existing job. */
  readonly created: boolean;
  /** Tasks to send to their queues now (the runnable roots on creation; none on a repeat). */
  readonly runnable: readonly TaskMessage[];
}

export interface JobQuery {
  /** Inclusive lower bound of `createdAt`, epoch ms. */
  readonly from: number;
  /** Exclusive upper bound of `createdAt`, epoch ms. */
  readonly to: number;
  /** Page size, 1 to 1000. @default 100 */
  readonly limit?: number | undefined;
  /** Only jobs this automation submitted. */
  readonly automationId?: string | undefined;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface JobPage {
  /** Newest first. */
  readonly jobs: readonly StoredJob[];
  /** Present when more jobs may follow; pass it back as `cursor`. */
  readonly nextCursor?: string | undefined;
}

export interface ClaimRequest {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly runnerId: string;
  /** The identifier the runner registered; the claim is refused unless it may run the task. */
  readonly compatibleWith?: TaskIdentifier | undefined;
  /** Lease length in ms; the store's default when absent. */
  readonly leaseMs?: number | undefined;
}

/** Names a running attempt held by one runner. */
export interface LeaseRef {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly runnerId: string;
}

export interface Lease extends LeaseRef {
  readonly leaseExpiresAt: number;
}

/** Why a claim was refused. Losing a claim is normal: queues deliver at least once. */
export type ClaimRefusal =
  | 'not-found'
  /** Another claim won, or the message is for an older attempt, or the task left QUEUED. */
  | 'stale'
  /** Waiting for its parent or dependencies; a message should not exist yet. */
  | 'not-runnable'
  /** Retry backoff: try again at `notBefore`. */
  | 'not-yet'
  /** The runner's identifier may not run this task (name or version). */
  | 'incompatible'
  /** The job was cancelled or failed. */
  | 'job-stopped';

export type ClaimResult =
  | {
      readonly claimed: true;
      readonly lease: Lease;
      /** The task as the claim left it (RUNNING). */
      readonly task: StoredTask;
      /** The job, when the claim read it with the task (a job's inline root is the job item). */
      readonly job?: Pick<StoredJob, 'triggerJson' | 'automationId' | 'name'> | undefined;
    }
  | { readonly claimed: false; readonly reason: ClaimRefusal; readonly notBefore?: number };

export interface CompleteRequest extends LeaseRef {
  /** Up to 64 subtasks; `dependsOn` are indices into this list. */
  readonly subtasks?: readonly TaskSpec[] | undefined;
  /** The attempt's span: the subtasks' attempts become its children (W3C traceparent). */
  readonly traceparent?: string | undefined;
  /**
   * The label the attempt set (`currentTask.display`), at most 1,024
   * characters without control characters; replaces the task's `display`.
   * Left out, the submitted display stays.
   */
  readonly display?: string | undefined;
}

export interface CompleteResult {
  readonly subtaskIds: readonly string[];
  /** Tasks now runnable: send each to its cluster queue. */
  readonly runnable: readonly TaskMessage[];
  /** True when this attempt had already been recorded as complete (a repeated call). */
  readonly alreadyCompleted: boolean;
}

export interface FailRequest extends LeaseRef {
  readonly error: string;
}

/** What became of a task whose attempt ended without a result. */
export interface AttemptEndResult {
  readonly state: Extract<TaskState, 'QUEUED' | 'FAILED' | 'CANCELLED'>;
  /** For QUEUED: the message to send (with a delay up to `notBefore`). */
  readonly retry?: TaskMessage | undefined;
  /** Tasks cancelled because this failure failed the job. */
  readonly cancelled: number;
}

/** A RUNNING attempt whose lease ended. */
export interface ExpiredLease {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
  readonly runnerId: string;
  readonly leaseExpiresAt: number;
}

export type RequeueResult =
  | (AttemptEndResult & { readonly requeued: true })
  | { readonly requeued: false; readonly reason: 'not-found' | 'renewed' | 'stale' };

export interface CancelJobResult {
  readonly job: StoredJob;
  /** QUEUED tasks that became CANCELLED. */
  readonly cancelled: number;
}

export interface RetryJobResult {
  readonly job: StoredJob;
  /** FAILED and CANCELLED tasks put back to QUEUED. */
  readonly requeued: number;
  /** Of those, the ones to send now. */
  readonly runnable: readonly TaskMessage[];
}

/**
 * Durable jobs and tasks: submission, claims with leases, completion with
 * subtasks and dependency release, failure with retries, cancel and retry of
 * jobs, and the look-ups a reconciler needs. Every state change is a
 * conditional write or a transaction; all times come from the store's clock
 * (or the `now` argument), never from the caller's state.
 *
 * @example
 * ```ts
 * const { runnable } = await store.submit({ name: 'resize', root: { identifier, input } });
 * const claim = await store.claim({ ...runnable[0], runnerId: 'runner-1' });
 * if (claim.claimed) await store.complete({ ...claim.lease, subtasks: [] });
 * ```
 */
export interface JobStore {
  submit(request: SubmitJobRequest): Promise<SubmitJobResult>;
  /** Throws JobNotFoundError. */
  getJob(jobId: string): Promise<StoredJob>;
  findJob(jobId: string): Promise<StoredJob | undefined>;
  /** Throws TaskNotFoundError. A runner reads it to check the identifier before claiming. */
  getTask(jobId: string, taskId: string): Promise<StoredTask>;
  /** Every task of the job, in id order. */
  listTasks(jobId: string): Promise<StoredTask[]>;
  queryJobs(query: JobQuery): Promise<JobPage>;
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Extends the lease; returns its new end. Throws LeaseLostError when the lease is gone. */
  heartbeat(lease: LeaseRef, leaseMs?: number): Promise<number>;
  /** Throws LeaseLostError when the attempt no longer holds the task. */
  complete(request: CompleteRequest): Promise<CompleteResult>;
  /** Throws LeaseLostError when the attempt no longer holds the task. */
  fail(request: FailRequest): Promise<AttemptEndResult>;
  cancelJob(jobId: string): Promise<CancelJobResult>;
  retryJob(jobId: string): Promise<RetryJobResult>;
  /**
   * Tasks due for a look by the reconciler (`dueAt <= upTo`), earliest
   * first, at most `limit`: runnable QUEUED tasks (is their send lost?),
   * RUNNING ones (did the lease expire?) and completions whose releases may
   * not have finished. Read strongly consistent.
   */
  findDueTasks(upTo: number, limit: number): Promise<StoredTask[]>;
  /**
   * Moves a due task's next look to `dueAt`, only while it is still in the
   * state and attempt it was read in; false otherwise.
   */
  deferDue(
    task: Pick<StoredTask, 'jobId' | 'taskId' | 'state' | 'attempts'>,
    dueAt: number,
  ): Promise<boolean>;
  /** Takes a settled (or not runnable) task out of the due index; false when it changed meanwhile. */
  clearDue(task: Pick<StoredTask, 'jobId' | 'taskId' | 'state' | 'attempts'>): Promise<boolean>;
  requeueExpired(lease: ExpiredLease): Promise<RequeueResult>;
  /** Redoes the releases of a completion (idempotent) and clears its due entry; returns tasks to send. */
  resumeReleases(jobId: string, taskId: string): Promise<TaskMessage[]>;
}

/** No job has this id. */
export class JobNotFoundError extends BucketflowError {
  readonly jobId: string;

  constructor(jobId: string) {
    super(`job ${jobId}: not found (check the id; jobs are never deleted by bucketflow)`);
    this.jobId = jobId;
  }
}

/** The job has no task with this id. */
export class TaskNotFoundError extends BucketflowError {
  readonly jobId: string;
  readonly taskId: string;

  constructor(jobId: string, taskId: string) {
    super(`task ${taskId} of job ${jobId}: not found (check both ids)`);
    this.jobId = jobId;
    this.taskId = taskId;
  }
}

/**
 * A runner asked to heartbeat, complete or fail an attempt it no longer
 * holds: the lease expired and the task was re-queued or failed, another
 * attempt claimed it, or the attempt was already recorded. The runner must
 * stop working on the task and drop its result.
 */
export class LeaseLostError extends BucketflowError {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;

  constructor(jobId: string, taskId: string, attempt: number, reason: string) {
    super(
      `task ${taskId} of job ${jobId}, attempt ${attempt}: lease lost, ${reason} (stop working on it; its result is dropped)`,
    );
    this.jobId = jobId;
    this.taskId = taskId;
    this.attempt = attempt;
  }
}

/**
 * The subtasks of one completion are too large to write in one transaction
 * (DynamoDB allows 4 MB per TransactWriteItems).
 */
export class SubtaskBatchTooLargeError extends ValidationError {
  constructor(field: string, bytes: number, limit: number) {
    super(
      field,
      `the inputs add up to ${bytes} bytes of JSON, more than the ${limit} one completion may write`,
      'put large data in the bucket and pass keys, or let fewer subtasks each submit part of the work',
    );
  }
}

/** An idempotency key is empty or too long to be a DynamoDB key. */
export class InvalidIdempotencyKeyError extends ValidationError {}

/**
 * A job store write kept colliding with concurrent writes to the same job and
 * gave up; the caller may retry the whole operation.
 */
export class JobStoreContentionError extends BucketflowError {
  constructor(operation: string, attempts: number) {
    super(
      `${operation}: still conflicting with concurrent writes to the same job after ${attempts} attempts (retry later)`,
    );
  }
}

/** A job query is malformed: a bad time range, page size or cursor. */
export class InvalidJobQueryError extends ValidationError {}
