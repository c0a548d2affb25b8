import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../../core/errors.js';
import { isCompatible, parseTaskVersion } from '../../../core/jobs/task-identifier.js';
import type {
  ClaimRefusal,
  ClaimRequest,
  ClaimResult,
  LeaseRef,
  StoredJob,
} from '../../../core/ports/job-store.js';
import { LeaseLostError } from '../../../core/ports/job-store.js';
import { attemptWrites } from './attempt-writes.js';
import { COUNT_ATTRIBUTE, leaseCacheKey, taskKey, toJob, toTask } from './items.js';
import { getItem, getJobAndTask } from './reads.js';
import {
  ConditionFailed,
  commit,
  conditionalWrite,
  type JobStoreContext,
  UpdateBuilder,
  updateReturning,
} from './store-context.js';

/** Conditions on the job item that hold while it accepts new work (not cancelled, nothing failed). */
export function whenJobAcceptsWork(update: UpdateBuilder, accepts = true): UpdateBuilder {
  const cancelled = update.n('cancelled');
  const failed = update.n(COUNT_ATTRIBUTE.FAILED);
  return accepts
    ? update.when(`${cancelled} = ${update.v(false)} AND ${failed} = ${update.v(0)}`)
    : update.when(`${cancelled} = ${update.v(true)} OR ${failed} > ${update.v(0)}`);
}

/** Conditions on a task item that hold while `lease` holds it. */
export function whenLeaseHeld(update: UpdateBuilder, lease: LeaseRef): UpdateBuilder {
  return update.when(
    `${update.n('state')} = ${update.v('RUNNING')} AND ${update.n('runnerId')} = ${update.v(lease.runnerId)} AND ${update.n('attempts')} = ${update.v(lease.attempt)}`,
  );
}

/** Claimed task items kept for their completion; older entries leave first. */
const CLAIM_CACHE_SIZE = 1_000;

/**
 * Claims a task: the task moves QUEUED → RUNNING under conditions (runnable,
 * this attempt, backoff over, identifier compatible) and the claim is counted
 * on the job under the condition that the job accepts work. A job's inline
 * root is one UpdateItem of the job item that returns the task; any other
 * task is one transaction of the task and the job, then one read of the task.
 * Of any number of racing claimers exactly one wins.
 */
export async function claimTask(
  context: JobStoreContext,
  request: ClaimRequest,
): Promise<ClaimResult> {
  if (!Number.isInteger(request.attempt) || request.attempt < 1) {
    throw new ValidationError('attempt', `must be an integer >= 1, got ${request.attempt}`);
  }
  const now = context.clock();
  const leaseMs = request.leaseMs ?? context.leaseMs;
  const leaseExpiresAt = now + leaseMs;
  const claimTaskPart = (task: UpdateBuilder) => {
    task
      .set('state', 'RUNNING')
      .set('attempts', request.attempt)
      .set('runnerId', request.runnerId)
      .set('leaseExpiresAt', leaseExpiresAt)
      .set('updatedAt', now)
      .remove('enqueuedAt');
    // The task's due time (its release plus checkAfterMs) comes no earlier than a lease of at
    // least checkAfterMs ends; a shorter lease moves it, so a crash is found when the lease ends.
    if (leaseMs < context.checkAfterMs) task.set('dueAt', leaseExpiresAt);
    task.when(
      `${task.n('state')} = ${task.v('QUEUED')} AND attribute_exists(${task.n('enqueuedAt')}) AND ${task.n('attempts')} = ${task.v(request.attempt - 1)} AND ${task.n('notBefore')} <= ${task.v(now)}`,
    );
    const compatible = request.compatibleWith;
    if (compatible) {
      const { name, version } = compatible;
      const { major, minor } = parseTaskVersion(version, 'compatibleWith.version');
      task.when(
        `${task.n('taskName')} = ${task.v(name)} AND ${task.n('versionMajor')} = ${task.v(major)} AND ${task.n('versionMinor')} <= ${task.v(minor)}`,
      );
    }
  };
  const claimJobPart = (job: UpdateBuilder) => {
    job
      .add(COUNT_ATTRIBUTE.QUEUED, -1)
      .add(COUNT_ATTRIBUTE.RUNNING, 1)
      .set('started', true)
      .set('updatedAt', now);
    whenJobAcceptsWork(job);
  };
  const { jobId, taskId, attempt, runnerId } = request;
  const operation = `claim task ${taskId}`;
  const writes = attemptWrites(jobId, taskId, claimTaskPart, claimJobPart);
  const [only] = writes;
  let item: Record<string, unknown> | undefined;
  let job: Pick<StoredJob, 'triggerJson' | 'automationId' | 'name'> | undefined;
  if (writes.length === 1 && only && 'update' in only) {
    // A job's inline root: one UpdateItem that returns the task, and the job's trigger with it.
    item = await updateReturning(context, operation, only.key, only.update);
    if (!item) return refusal(context, request, now);
    const { triggerJson, automationId, name } = toJob(item);
    job = { triggerJson, automationId, name };
  } else {
    try {
      await commit(context, operation, writes);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      return refusal(context, request, now);
    }
    item = await getItem(context, taskKey(jobId, taskId));
    if (!item) return { claimed: false, reason: 'not-found' };
  }
  const lease = { jobId, taskId, attempt, runnerId, leaseExpiresAt };
  rememberClaim(context, lease, item);
  return { claimed: true, lease, task: toTask(item), job };
}

function rememberClaim(context: JobStoreContext, lease: LeaseRef, item: Record<string, unknown>) {
  context.claimed.set(leaseCacheKey(lease), item);
  if (context.claimed.size > CLAIM_CACHE_SIZE) {
    const oldest = context.claimed.keys().next().value;
    if (oldest !== undefined) context.claimed.delete(oldest);
  }
}

/** Explains a refused claim from the task and job as they are now. */
async function refusal(
  context: JobStoreContext,
  request: ClaimRequest,
  now: number,
): Promise<ClaimResult> {
  const { job, task: item } = await getJobAndTask(context, request.jobId, request.taskId);
  const refuse = (reason: ClaimRefusal, notBefore?: number): ClaimResult =>
    notBefore === undefined ? { claimed: false, reason } : { claimed: false, reason, notBefore };
  if (!item) return refuse('not-found');
  const task = toTask(item);
  if (task.state !== 'QUEUED' || task.attempts !== request.attempt - 1) return refuse('stale');
  if (!task.runnable) return refuse('not-runnable');
  if (request.compatibleWith && !isCompatible(request.compatibleWith, task.identifier)) {
    return refuse('incompatible');
  }
  if (task.notBefore > now) return refuse('not-yet', task.notBefore);
  if (job) {
    const stored = toJob(job);
    if (stored.cancelled || stored.counts.FAILED > 0) return refuse('job-stopped');
  }
  // The task changed between the claim and this read; another message will carry it.
  return refuse('stale');
}

/** Extends a lease from now; throws LeaseLostError when the attempt no longer holds the task. */
export async function extendLease(
  context: JobStoreContext,
  lease: LeaseRef,
  leaseMs = context.leaseMs,
): Promise<number> {
  const now = context.clock();
  const leaseExpiresAt = now + leaseMs;
  const update = whenLeaseHeld(
    new UpdateBuilder().set('leaseExpiresAt', leaseExpiresAt).set('updatedAt', now),
    lease,
  );
  const held = await conditionalWrite(`heartbeat task ${lease.taskId}`, () =>
    context.doc.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: taskKey(lease.jobId, lease.taskId),
        ...update.build(),
      }),
    ),
  );
  if (!held) throw await leaseLost(context, lease);
  return leaseExpiresAt;
}

/** Explains why a lease no longer holds. */
export async function leaseLost(
  context: JobStoreContext,
  lease: LeaseRef,
): Promise<LeaseLostError> {
  const item = await getItem(context, taskKey(lease.jobId, lease.taskId));
  const { jobId, taskId, attempt } = lease;
  if (!item) return new LeaseLostError(jobId, taskId, attempt, 'the task does not exist');
  const task = toTask(item);
  if (task.attempts !== attempt) {
    return new LeaseLostError(
      jobId,
      taskId,
      attempt,
      `the task is on attempt ${task.attempts} now`,
    );
  }
  if (task.runnerId !== lease.runnerId) {
    return new LeaseLostError(jobId, taskId, attempt, `runner ${task.runnerId} holds it`);
  }
  return new LeaseLostError(jobId, taskId, attempt, `the task is ${task.state}, no longer RUNNING`);
}
