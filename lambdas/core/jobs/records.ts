import type { TaskIdentifier } from './task-identifier.js';
import type { JobState, TaskState } from './task-state.js';

/**
 * A task as a job store keeps it. Times are epoch milliseconds, ids are ULIDs
 * ({@link encodeUlid}). A store may add attributes (keys, lease owner, …).
 * Subtasks are written by the completion of their parent, in the same
 * transaction, so a failed attempt never leaves subtasks behind.
 */
export interface TaskRecord {
  readonly jobId: string;
  readonly taskId: string;
  /** The task that submitted this one; null for a root task. */
  readonly parentId: string | null;
  readonly identifier: TaskIdentifier;
  /** The input as JSON text (`serializeTaskInput`). */
  readonly inputJson: string;
  readonly display: string;
  readonly cluster: string;
  readonly state: TaskState;
  /** Ids of sibling tasks this task waits for, from the batch's `dependsOn` indices. */
  readonly dependsOn: readonly string[];
  readonly maxRetries: number;
  /** Times the task was claimed (QUEUED → RUNNING). */
  readonly attempts: number;
  /** Failed attempts that were re-queued; reset by a job retry. */
  readonly retries: number;
  /** Leases that expired; reset by a job retry. */
  readonly leaseExpiries: number;
  /** While RUNNING: when the lease ends unless a heartbeat extends it. */
  readonly leaseExpiresAt?: number | undefined;
  /** The last attempt's error message, for FAILED tasks and retries. */
  readonly lastError?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A job as a job store keeps it. Its `state` is `deriveJobState` of its tasks and flags. */
export interface JobRecord {
  readonly jobId: string;
  readonly name: string;
  readonly state: JobState;
  /** Set by a user's cancel, cleared by a retry. */
  readonly cancelled: boolean;
  /** Set when any task of the job is first claimed. */
  readonly started: boolean;
  readonly rootTaskIds: readonly string[];
  /** The automation that submitted the job, if any. */
  readonly automationId?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}
