import { boundErrorText } from '../../../core/error-text.js';
import { jobAcceptsWork } from '../../../core/jobs/job-counts.js';
import {
  type AttemptOutcome,
  planFailedAttempt,
  planLeaseExpiry,
} from '../../../core/jobs/retry-policy.js';
import type {
  AttemptEndResult,
  ExpiredLease,
  FailRequest,
  LeaseRef,
  RequeueResult,
} from '../../../core/ports/job-store.js';
import { JobNotFoundError, JobStoreContentionError } from '../../../core/ports/job-store.js';
import type { TaskMessage } from '../../../core/ports/task-queue.js';
import { attemptWrites, STATE_ROUNDS } from './attempt-writes.js';
import { leaseLost, whenJobAcceptsWork, whenLeaseHeld } from './claims.js';
import { holds } from './completion.js';
import {
  COUNT_ATTRIBUTE,
  dispatchOf,
  dueAttributes,
  leaseCacheKey,
  type TaskItem,
  toJob,
  toTask,
} from './items.js';
import { cancelQueuedTasks } from './lifecycle.js';
import { getJobAndTask } from './reads.js';
import { ConditionFailed, commit, type JobStoreContext } from './store-context.js';

/** Records a failed attempt: retry with backoff, or fail the task and its job. */
export async function failTask(
  context: JobStoreContext,
  request: FailRequest,
): Promise<AttemptEndResult> {
  const cacheKey = leaseCacheKey(request);
  const known = context.claimed.get(cacheKey) as TaskItem | undefined;
  const result = await endAttempt(
    context,
    request,
    request.error,
    (task, accepts) => planFailedAttempt(task, accepts),
    known,
  );
  context.claimed.delete(cacheKey);
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
    undefined,
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
 * Ends a RUNNING attempt as the core plan says, in one write with the job's
 * counters; undefined when the lease no longer holds. With the task as it was
 * claimed (`known`), nothing is read first and the job is assumed to accept
 * work until a failed condition says otherwise. A task that fails for good
 * fails the job: its QUEUED tasks are cancelled afterwards.
 */
async function endAttempt(
  context: JobStoreContext,
  lease: LeaseRef,
  error: string,
  plan: Planner,
  known: TaskItem | undefined,
  onlyIfExpired = false,
): Promise<AttemptEndResult | undefined> {
  let task = known;
  let accepts = true;
  for (let round = 1; round <= STATE_ROUNDS; round++) {
    if (!task) {
      const read = await getJobAndTask(context, lease.jobId, lease.taskId);
      if (!read.job) throw new JobNotFoundError(lease.jobId);
      if (!read.task || !holds(read.task, lease)) return undefined;
      task = read.task;
      const stored = toJob(read.job);
      accepts = jobAcceptsWork(stored.counts, stored);
    }
    const outcome = plan(toTask(task), accepts);
    const now = context.clock();
    let retry: TaskMessage | undefined;
    const writes = attemptWrites(
      lease.jobId,
      lease.taskId,
      (update) => {
        update
          .set('state', outcome.state)
          .set('retries', outcome.retries)
          .set('leaseExpiries', outcome.leaseExpiries)
          // Bounded: an error too large for the task item would make this write fail and lose it.
          .set('lastError', boundErrorText(error))
          .set('updatedAt', now)
          .remove('leaseExpiresAt');
        if (outcome.state === 'QUEUED') {
          const notBefore = now + outcome.delaySeconds * 1000;
          // The lost-send check starts counting when the task may run.
          const due = dueAttributes(context, lease.taskId, notBefore + context.checkAfterMs);
          update
            .set('notBefore', notBefore)
            .set('enqueuedAt', notBefore)
            .set('dueShard', due.dueShard)
            .set('dueAt', due.dueAt);
          retry = dispatchOf({ ...task, notBefore });
        } else {
          update.remove('dueShard', 'dueAt');
        }
        whenLeaseHeld(update, lease);
        if (onlyIfExpired) update.when(`${update.n('leaseExpiresAt')} <= ${update.v(now)}`);
      },
      (job) => {
        job
          .add(COUNT_ATTRIBUTE.RUNNING, -1)
          .add(COUNT_ATTRIBUTE[outcome.state], 1)
          .set('updatedAt', now);
        whenJobAcceptsWork(job, accepts);
      },
    );
    try {
      await commit(context, `end attempt ${lease.attempt} of task ${lease.taskId}`, writes);
    } catch (caught) {
      if (!(caught instanceof ConditionFailed)) throw caught;
      // The lease is gone, or the job's state changed: read both and decide again.
      task = undefined;
      continue;
    }
    const cancelled =
      outcome.state === 'FAILED' ? await cancelQueuedTasks(context, lease.jobId) : 0;
    return retry ? { state: outcome.state, retry, cancelled } : { state: outcome.state, cancelled };
  }
  throw new JobStoreContentionError(`end attempt of task ${lease.taskId}`, STATE_ROUNDS);
}
