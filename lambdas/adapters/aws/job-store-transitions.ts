import { boundErrorText } from '../../core/error-text.js';
import { jobAcceptsWork } from '../../core/jobs/job-counts.js';
import {
  type AttemptOutcome,
  planFailedAttempt,
  planLeaseExpiry,
} from '../../core/jobs/retry-policy.js';
import { validateDisplay, validateSubtasks } from '../../core/jobs/task-spec.js';
import type {
  AttemptEndResult,
  CompleteRequest,
  CompleteResult,
  ExpiredLease,
  FailRequest,
  LeaseRef,
  RequeueResult,
  TaskDispatch,
} from '../../core/ports/job-store.js';
import {
  JobNotFoundError,
  JobStoreContentionError,
  SubtaskBatchTooLargeError,
} from '../../core/ports/job-store-errors.js';
import { leaseLost, whenJobAcceptsWork, whenLeaseHeld } from './job-store-claims.js';
import {
  ConditionFailed,
  type JobStoreContext,
  type TransactItem,
  transact,
  UpdateBuilder,
} from './job-store-dynamo.js';
import {
  batchItems,
  COUNT_ATTRIBUTE,
  dispatchOf,
  jobKey,
  queuedShard,
  releaseShard,
  type TaskItem,
  taskKey,
  toJob,
  toTask,
} from './job-store-items.js';
import { cancelQueuedTasks } from './job-store-lifecycle.js';
import { getJobAndTask } from './job-store-reads.js';
import { releaseSettled } from './job-store-releases.js';

/**
 * Input bytes one completion may write. A transaction carries at most 4 MB;
 * the rest is left for keys, identifiers and the task and job updates.
 */
export const MAX_SUBTASK_BATCH_INPUT_BYTES = 3 * 1024 * 1024;
/** Re-reads of the job when its state changed between the read and the transaction. */
const STATE_ROUNDS = 8;

/**
 * Completes an attempt. The commit point is one transaction of at most 66
 * items: the task (RUNNING → COMPUTED, conditional on the lease), the job
 * (counters, conditional on the job state read) and up to 64 new subtasks,
 * QUEUED — or CANCELLED when the job is stopped. The task update also
 * records the display the attempt set. Subtasks are keyed by new ids
 * and carry `parentAttempt`; they exist only if the completion committed, so
 * a failed or crashed attempt leaves none behind. A task without subtasks is
 * settled by the commit; its follow-up releases (parent, dependents) run after
 * it, each idempotent, and a pending-release marker written in the transaction
 * lets the reconciler redo them after a crash.
 */
export async function completeTask(
  context: JobStoreContext,
  request: CompleteRequest,
): Promise<CompleteResult> {
  const specs = validateSubtasks(request.subtasks ?? [], 'subtasks');
  const display =
    request.display === undefined ? undefined : validateDisplay(request.display, 'display');
  const bytes = specs.reduce((sum, spec) => sum + spec.inputBytes, 0);
  if (bytes > MAX_SUBTASK_BATCH_INPUT_BYTES) {
    throw new SubtaskBatchTooLargeError('subtasks', bytes, MAX_SUBTASK_BATCH_INPUT_BYTES);
  }
  for (let round = 1; round <= STATE_ROUNDS; round++) {
    const { job, task } = await getJobAndTask(context, request.jobId, request.taskId);
    if (!job) throw new JobNotFoundError(request.jobId);
    if (!task || !holds(task, request)) {
      if (task && isCompletedBy(task, request)) {
        return { subtaskIds: [], runnable: [], alreadyCompleted: true };
      }
      throw await leaseLost(context, request);
    }
    const accepts = jobAcceptsWork(toJob(job).counts, toJob(job));
    const now = context.clock();
    const ids = specs.map(() => context.newId(now));
    const subtasks = batchItems(
      context,
      {
        jobId: request.jobId,
        parentId: request.taskId,
        parentAttempt: request.attempt,
        cluster: task.cluster as string,
        state: accepts ? 'QUEUED' : 'CANCELLED',
      },
      specs,
      ids,
      now,
    );
    const taskUpdate = new UpdateBuilder()
      .set('state', 'COMPUTED')
      .set('completedAttempt', request.attempt)
      .set('childCount', subtasks.length)
      .set('updatedAt', now)
      .remove('leaseShard', 'leaseExpiresAt');
    if (display !== undefined) taskUpdate.set('display', display);
    // A settled task with neither parent nor dependents releases nothing: no marker, no follow-up.
    const releases =
      subtasks.length === 0 &&
      (task.parentId !== undefined || ((task.dependents as string[] | undefined) ?? []).length > 0);
    if (releases) {
      taskUpdate
        .set('releaseShard', releaseShard(context, request.taskId))
        .set('releaseSince', now);
    }
    whenLeaseHeld(taskUpdate, request);
    const jobUpdate = new UpdateBuilder()
      .add(COUNT_ATTRIBUTE.RUNNING, -1)
      .add(COUNT_ATTRIBUTE.COMPUTED, 1)
      .set('updatedAt', now);
    if (subtasks.length > 0) {
      jobUpdate.add('taskCount', subtasks.length);
      jobUpdate.add(COUNT_ATTRIBUTE[accepts ? 'QUEUED' : 'CANCELLED'], subtasks.length);
    }
    whenJobAcceptsWork(jobUpdate, accepts);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: context.tableName,
          Key: taskKey(request.jobId, request.taskId),
          ...taskUpdate.build(),
        },
      },
      {
        Update: { TableName: context.tableName, Key: jobKey(request.jobId), ...jobUpdate.build() },
      },
      ...subtasks.map((item) => ({
        Put: {
          TableName: context.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
    ];
    try {
      await transact(context, `complete task ${request.taskId}`, items);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.failed.includes(0)) throw await leaseLost(context, request);
      continue;
    }
    const runnable = subtasks.filter((item) => item.enqueuedAt !== undefined).map(dispatchOf);
    if (releases) {
      runnable.push(...(await releaseSettled(context, request.jobId, request.taskId, task)));
    }
    return { subtaskIds: ids, runnable, alreadyCompleted: false };
  }
  throw new JobStoreContentionError(`complete task ${request.taskId}`, STATE_ROUNDS);
}

/** Records a failed attempt: retry with backoff, or fail the task and its job. */
export async function failTask(
  context: JobStoreContext,
  request: FailRequest,
): Promise<AttemptEndResult> {
  const result = await endAttempt(context, request, request.error, (task, accepts) =>
    planFailedAttempt(task, accepts),
  );
  if (!result) throw await leaseLost(context, request);
  return result;
}

/** Re-queues (or fails) a task whose lease expired, if it still has not been renewed. */
export async function requeueExpiredLease(
  context: JobStoreContext,
  lease: ExpiredLease,
): Promise<RequeueResult> {
  const { task } = await getJobAndTask(context, lease.jobId, lease.taskId);
  if (!task) return { requeued: false, reason: 'not-found' };
  const stored = toTask(task);
  if (stored.state !== 'RUNNING' || stored.attempts !== lease.attempt) {
    return { requeued: false, reason: 'stale' };
  }
  if ((stored.leaseExpiresAt ?? 0) > context.clock()) return { requeued: false, reason: 'renewed' };
  const ref = { ...lease, runnerId: stored.runnerId ?? lease.runnerId };
  const result = await endAttempt(
    context,
    ref,
    'the lease expired: the runner crashed or stopped heartbeating',
    (counters, accepts) => planLeaseExpiry(counters, accepts),
    true,
  );
  if (!result) return { requeued: false, reason: 'stale' };
  return { ...result, requeued: true };
}

type Planner = (
  task: { retries: number; leaseExpiries: number; maxRetries: number },
  jobAcceptsWork: boolean,
) => AttemptOutcome;

/**
 * Ends a RUNNING attempt as the core plan says, in one transaction with the
 * job's counters; undefined when the lease no longer holds. A task that fails
 * for good fails the job: its QUEUED tasks are cancelled afterwards.
 */
async function endAttempt(
  context: JobStoreContext,
  lease: LeaseRef,
  error: string,
  plan: Planner,
  onlyIfExpired = false,
): Promise<AttemptEndResult | undefined> {
  for (let round = 1; round <= STATE_ROUNDS; round++) {
    const { job, task } = await getJobAndTask(context, lease.jobId, lease.taskId);
    if (!job) throw new JobNotFoundError(lease.jobId);
    if (!task || !holds(task, lease)) return undefined;
    const stored = toJob(job);
    const accepts = jobAcceptsWork(stored.counts, stored);
    const outcome = plan(toTask(task), accepts);
    const now = context.clock();
    const taskUpdate = new UpdateBuilder()
      .set('state', outcome.state)
      .set('retries', outcome.retries)
      .set('leaseExpiries', outcome.leaseExpiries)
      // Bounded: an error too large for the task item would make this write fail and lose it.
      .set('lastError', boundErrorText(error))
      .set('updatedAt', now)
      .remove('leaseShard', 'leaseExpiresAt');
    let retry: TaskDispatch | undefined;
    if (outcome.state === 'QUEUED') {
      const notBefore = now + outcome.delaySeconds * 1000;
      // enqueuedAt = notBefore: the lost-send check starts counting when the task may run.
      taskUpdate
        .set('notBefore', notBefore)
        .set('queuedShard', queuedShard(context, lease.taskId))
        .set('enqueuedAt', notBefore);
      retry = dispatchOf({ ...task, notBefore });
    }
    whenLeaseHeld(taskUpdate, lease);
    if (onlyIfExpired) {
      taskUpdate.when(`${taskUpdate.n('leaseExpiresAt')} <= ${taskUpdate.v(now)}`);
    }
    const jobUpdate = new UpdateBuilder()
      .add(COUNT_ATTRIBUTE.RUNNING, -1)
      .add(COUNT_ATTRIBUTE[outcome.state], 1)
      .set('updatedAt', now);
    whenJobAcceptsWork(jobUpdate, accepts);
    try {
      await transact(context, `end attempt ${lease.attempt} of task ${lease.taskId}`, [
        {
          Update: {
            TableName: context.tableName,
            Key: taskKey(lease.jobId, lease.taskId),
            ...taskUpdate.build(),
          },
        },
        {
          Update: { TableName: context.tableName, Key: jobKey(lease.jobId), ...jobUpdate.build() },
        },
      ]);
    } catch (caught) {
      if (!(caught instanceof ConditionFailed)) throw caught;
      if (caught.failed.includes(0)) return undefined;
      continue;
    }
    const cancelled =
      outcome.state === 'FAILED' ? await cancelQueuedTasks(context, lease.jobId) : 0;
    return retry ? { state: outcome.state, retry, cancelled } : { state: outcome.state, cancelled };
  }
  throw new JobStoreContentionError(`end attempt of task ${lease.taskId}`, STATE_ROUNDS);
}

function holds(task: TaskItem, lease: LeaseRef): boolean {
  return (
    task.state === 'RUNNING' && task.runnerId === lease.runnerId && task.attempts === lease.attempt
  );
}

function isCompletedBy(task: TaskItem, lease: LeaseRef): boolean {
  return (
    task.state === 'COMPUTED' &&
    task.completedAttempt === lease.attempt &&
    task.runnerId === lease.runnerId
  );
}
