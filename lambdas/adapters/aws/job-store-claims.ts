import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core/errors.js';
import { isCompatible, parseTaskVersion } from '../../core/jobs/task-identifier.js';
import type {
  ClaimRefusal,
  ClaimRequest,
  ClaimResult,
  LeaseRef,
} from '../../core/ports/job-store.js';
import { LeaseLostError } from '../../core/ports/job-store-errors.js';
import {
  ConditionFailed,
  conditionalWrite,
  type JobStoreContext,
  transact,
  UpdateBuilder,
} from './job-store-dynamo.js';
import { COUNT_ATTRIBUTE, jobKey, leaseShard, taskKey, toTask } from './job-store-items.js';
import { getItem } from './job-store-reads.js';

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

/**
 * Claims a task: one transaction that moves the task QUEUED → RUNNING under
 * conditions (runnable, this attempt, backoff over, identifier compatible) and
 * counts the claim on the job under the condition that the job accepts work.
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
  const leaseExpiresAt = now + (request.leaseMs ?? context.leaseMs);
  const task = new UpdateBuilder()
    .set('state', 'RUNNING')
    .set('attempts', request.attempt)
    .set('runnerId', request.runnerId)
    .set('leaseShard', leaseShard(context, request.taskId))
    .set('leaseExpiresAt', leaseExpiresAt)
    .set('updatedAt', now)
    .remove('queuedShard', 'enqueuedAt');
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
  const job = new UpdateBuilder()
    .add(COUNT_ATTRIBUTE.QUEUED, -1)
    .add(COUNT_ATTRIBUTE.RUNNING, 1)
    .set('started', true)
    .set('updatedAt', now);
  whenJobAcceptsWork(job);
  try {
    await transact(context, `claim task ${request.taskId}`, [
      {
        Update: {
          TableName: context.tableName,
          Key: taskKey(request.jobId, request.taskId),
          ...task.build(),
        },
      },
      { Update: { TableName: context.tableName, Key: jobKey(request.jobId), ...job.build() } },
    ]);
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return refusal(context, request, now, error.failed.includes(0));
  }
  const { jobId, taskId, attempt, runnerId } = request;
  return { claimed: true, lease: { jobId, taskId, attempt, runnerId, leaseExpiresAt } };
}

async function refusal(
  context: JobStoreContext,
  request: ClaimRequest,
  now: number,
  taskFailed: boolean,
): Promise<ClaimResult> {
  const item = await getItem(context, taskKey(request.jobId, request.taskId));
  const refuse = (reason: ClaimRefusal, notBefore?: number): ClaimResult =>
    notBefore === undefined ? { claimed: false, reason } : { claimed: false, reason, notBefore };
  if (!item) return refuse('not-found');
  if (!taskFailed) return refuse('job-stopped');
  const task = toTask(item);
  if (task.state !== 'QUEUED' || task.attempts !== request.attempt - 1) return refuse('stale');
  if (!task.runnable) return refuse('not-runnable');
  if (request.compatibleWith && !isCompatible(request.compatibleWith, task.identifier)) {
    return refuse('incompatible');
  }
  if (task.notBefore > now) return refuse('not-yet', task.notBefore);
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
