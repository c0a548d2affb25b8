import { jobAcceptsWork } from '../../../core/jobs/job-counts.js';
import { validateDisplay, validateSubtasks } from '../../../core/jobs/task-spec.js';
import type { CompleteRequest, CompleteResult, LeaseRef } from '../../../core/ports/job-store.js';
import {
  JobNotFoundError,
  JobStoreContentionError,
  SubtaskBatchTooLargeError,
} from '../../../core/ports/job-store.js';
import { attemptWrites, STATE_ROUNDS } from './attempt-writes.js';
import { leaseLost, whenJobAcceptsWork, whenLeaseHeld } from './claims.js';
import {
  batchItems,
  COUNT_ATTRIBUTE,
  dispatchOf,
  leaseCacheKey,
  type TaskItem,
  toJob,
  tracksSettlement,
} from './items.js';
import { getJobAndTask } from './reads.js';
import { releaseSettled } from './releases.js';
import { ConditionFailed, commit, type JobStoreContext, type Write } from './store-context.js';

/**
 * Input bytes one completion may write. A transaction carries at most 4 MB;
 * the rest is left for keys, identifiers and the task and job updates.
 */
export const MAX_SUBTASK_BATCH_INPUT_BYTES = 3 * 1024 * 1024;

/**
 * Completes an attempt. The commit point is one write: the task (RUNNING →
 * COMPUTED, conditional on the lease) with the job's counters, and up to 64
 * new subtasks, QUEUED — or CANCELLED when the job is stopped. A job's inline
 * root without subtasks is a single UpdateItem; otherwise one transaction.
 * The task update also records the display the attempt set. Nothing is read
 * first: the task's fixed attributes come from its claim, and the job is
 * assumed to accept work until a failed condition says otherwise. Subtasks
 * are keyed by new ids and carry `parentAttempt`; they exist only if the
 * completion committed, so a failed or crashed attempt leaves none behind. A
 * settled task whose settlement releases something keeps its due entry as a
 * pending-release marker until its follow-up releases (each idempotent) are
 * done, so the reconciler redoes them after a crash.
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
  const cacheKey = leaseCacheKey(request);
  let known = context.claimed.get(cacheKey) as TaskItem | undefined;
  let accepts = true;
  for (let round = 1; round <= STATE_ROUNDS; round++) {
    if (!known) {
      const state = await readHeld(context, request);
      if ('done' in state) return state.done;
      known = state.task;
      accepts = state.accepts;
    }
    const now = context.clock();
    const ids = specs.map(() => context.newId(now));
    const subtasks = batchItems(
      context,
      {
        jobId: request.jobId,
        parentId: request.taskId,
        parentAttempt: request.attempt,
        cluster: known.cluster as string,
        state: accepts ? 'QUEUED' : 'CANCELLED',
        parentTracks: tracksSettlement(known),
        traceparent: request.traceparent,
      },
      specs,
      ids,
      now,
    );
    // Settled at once when it has no subtasks; its settlement may release dependents or a parent.
    const followUps = subtasks.length === 0 && tracksSettlement(known);
    const writes: Write[] = [
      ...attemptWrites(
        request.jobId,
        request.taskId,
        (task) => {
          task
            .set('state', 'COMPUTED')
            .set('completedAttempt', request.attempt)
            .set('childCount', subtasks.length)
            .set('updatedAt', now)
            .remove('leaseExpiresAt');
          if (!followUps) task.remove('dueShard', 'dueAt');
          if (display !== undefined) task.set('display', display);
          whenLeaseHeld(task, request);
        },
        (job) => {
          job
            .add(COUNT_ATTRIBUTE.RUNNING, -1)
            .add(COUNT_ATTRIBUTE.COMPUTED, 1)
            .set('updatedAt', now);
          if (subtasks.length > 0) {
            job.add('taskCount', subtasks.length);
            job.add(COUNT_ATTRIBUTE[accepts ? 'QUEUED' : 'CANCELLED'], subtasks.length);
            // The subtasks' state must match the job's: re-plan if it changed.
            whenJobAcceptsWork(job, accepts);
          }
        },
      ),
      ...subtasks.map((item): Write => ({ put: item, condition: 'attribute_not_exists(pk)' })),
    ];
    try {
      await commit(context, `complete task ${request.taskId}`, writes);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      known = undefined;
      continue;
    }
    context.claimed.delete(cacheKey);
    const runnable = subtasks.filter((item) => item.enqueuedAt !== undefined).map(dispatchOf);
    if (followUps) {
      runnable.push(...(await releaseSettled(context, request.jobId, request.taskId, known)));
    }
    return { subtaskIds: ids, runnable, alreadyCompleted: false };
  }
  throw new JobStoreContentionError(`complete task ${request.taskId}`, STATE_ROUNDS);
}

/** The task as `lease` holds it and whether its job accepts work, or the result of a repeat. */
async function readHeld(
  context: JobStoreContext,
  lease: LeaseRef,
): Promise<{ task: TaskItem; accepts: boolean } | { done: CompleteResult }> {
  const { job, task } = await getJobAndTask(context, lease.jobId, lease.taskId);
  if (!job) throw new JobNotFoundError(lease.jobId);
  if (!task || !holds(task, lease)) {
    if (task && isCompletedBy(task, lease)) {
      return { done: { subtaskIds: [], runnable: [], alreadyCompleted: true } };
    }
    throw await leaseLost(context, lease);
  }
  const stored = toJob(job);
  return { task, accepts: jobAcceptsWork(stored.counts, stored) };
}

/** Whether `lease` holds the task: RUNNING, same runner, same attempt. */
export function holds(task: TaskItem, lease: LeaseRef): boolean {
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
