import { deriveJobStateFromCounts, EMPTY_TASK_COUNTS } from '../../core/jobs/job-counts.js';
import type { TaskVersion } from '../../core/jobs/task-identifier.js';
import { parseTaskVersion } from '../../core/jobs/task-identifier.js';
import type { ValidatedTaskSpec } from '../../core/jobs/task-spec.js';
import type { TaskState } from '../../core/jobs/task-state.js';
import type { StoredJob, StoredTask, TaskDispatch } from '../../core/ports/job-store.js';
import { type JobStoreContext, shardOf } from './job-store-dynamo.js';

/** Attribute holding the count of a job's tasks in one state. */
export const COUNT_ATTRIBUTE: Readonly<Record<TaskState, string>> = {
  QUEUED: 'nQueued',
  RUNNING: 'nRunning',
  COMPUTED: 'nComputed',
  FAILED: 'nFailed',
  CANCELLED: 'nCancelled',
};

export const JOB_SK = 'JOB';
export const TASK_SK_PREFIX = 'TASK#';
export const IDEMPOTENCY_SK = 'IDEMPOTENCY';

export const jobPk = (jobId: string) => `JOB#${jobId}`;
export const jobKey = (jobId: string) => ({ pk: jobPk(jobId), sk: JOB_SK });
export const taskKey = (jobId: string, taskId: string) => ({
  pk: jobPk(jobId),
  sk: `${TASK_SK_PREFIX}${taskId}`,
});
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: IDEMPOTENCY_SK });

export const leaseShard = (context: JobStoreContext, taskId: string) =>
  `LEASE#${shardOf(taskId, context.indexShards)}`;
export const queuedShard = (context: JobStoreContext, taskId: string) =>
  `QUEUED#${shardOf(taskId, context.indexShards)}`;
export const releaseShard = (context: JobStoreContext, taskId: string) =>
  `RELEASE#${shardOf(taskId, context.indexShards)}`;

/** UTC month of an epoch-ms time, the partition of the by-creation index: `JOBS#2025-01`. */
export function monthBucket(time: number): string {
  return `JOBS#${new Date(time).toISOString().slice(0, 7)}`;
}

/** Sort key of the by-creation index: fixed-width time, so strings sort as times. */
export function createdSortKey(createdAt: number, jobId: string): string {
  return `${String(createdAt).padStart(15, '0')}#${jobId}`;
}

/** A task item as stored; optional attributes are absent rather than null. */
export type TaskItem = Record<string, unknown> & {
  pk: string;
  sk: string;
  jobId: string;
  taskId: string;
};

export interface BatchParent {
  readonly jobId: string;
  /** null for a job's root tasks. */
  readonly parentId: string | null;
  readonly parentAttempt?: number | undefined;
  /** Cluster of tasks that do not name one. */
  readonly cluster: string;
  /** QUEUED, or CANCELLED when the job no longer accepts work. */
  readonly state: 'QUEUED' | 'CANCELLED';
}

/**
 * Task items for one validated batch (a job's root, or one completion's
 * subtasks): ids in input order, `dependsOn` indices turned into ids, and
 * each task's `dependents`. Tasks without dependencies are released at once
 * (their parent is computed, or they are roots) when QUEUED.
 */
export function batchItems(
  context: JobStoreContext,
  parent: BatchParent,
  specs: readonly ValidatedTaskSpec[],
  ids: readonly string[],
  now: number,
): TaskItem[] {
  const dependents = specs.map(() => [] as string[]);
  specs.forEach((spec, index) => {
    for (const target of spec.dependsOn) dependents[target]?.push(ids[index] as string);
  });
  return specs.map((spec, index) => {
    const taskId = ids[index] as string;
    const { major, minor } = parseTaskVersion(spec.identifier.version);
    const released = parent.state === 'QUEUED' && spec.dependsOn.length === 0;
    return {
      ...taskKey(parent.jobId, taskId),
      type: 'TASK',
      jobId: parent.jobId,
      taskId,
      ...(parent.parentId === null ? {} : { parentId: parent.parentId }),
      ...(parent.parentAttempt === undefined ? {} : { parentAttempt: parent.parentAttempt }),
      taskName: spec.identifier.name,
      taskVersion: spec.identifier.version,
      versionMajor: major,
      versionMinor: minor,
      inputJson: spec.inputJson,
      display: spec.display,
      cluster: spec.cluster ?? parent.cluster,
      state: parent.state,
      dependsOn: spec.dependsOn.map((target) => ids[target] as string),
      dependents: dependents[index] ?? [],
      maxRetries: spec.maxRetries,
      attempts: 0,
      retries: 0,
      leaseExpiries: 0,
      notBefore: 0,
      createdAt: now,
      updatedAt: now,
      ...(released ? { queuedShard: queuedShard(context, taskId), enqueuedAt: now } : {}),
    };
  });
}

/** Reads a task item into the port's record. */
export function toTask(item: Record<string, unknown>): StoredTask {
  const state = item.state as TaskState;
  return {
    jobId: item.jobId as string,
    taskId: item.taskId as string,
    parentId: (item.parentId as string | undefined) ?? null,
    identifier: { name: item.taskName as string, version: item.taskVersion as TaskVersion },
    inputJson: item.inputJson as string,
    display: item.display as string,
    cluster: item.cluster as string,
    state,
    dependsOn: (item.dependsOn as string[] | undefined) ?? [],
    dependents: (item.dependents as string[] | undefined) ?? [],
    maxRetries: item.maxRetries as number,
    attempts: item.attempts as number,
    retries: item.retries as number,
    leaseExpiries: item.leaseExpiries as number,
    leaseExpiresAt: state === 'RUNNING' ? (item.leaseExpiresAt as number) : undefined,
    runnerId: item.runnerId as string | undefined,
    lastError: item.lastError as string | undefined,
    notBefore: (item.notBefore as number | undefined) ?? 0,
    runnable: state === 'QUEUED' && item.enqueuedAt !== undefined,
    completedAttempt: item.completedAttempt as number | undefined,
    childCount: item.childCount as number | undefined,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

/** Reads a job item into the port's record; the state is derived from the counters. */
export function toJob(item: Record<string, unknown>): StoredJob {
  const counts = {
    QUEUED: countOf(item, 'QUEUED'),
    RUNNING: countOf(item, 'RUNNING'),
    COMPUTED: countOf(item, 'COMPUTED'),
    FAILED: countOf(item, 'FAILED'),
    CANCELLED: countOf(item, 'CANCELLED'),
  };
  const cancelled = item.cancelled === true;
  const started = item.started === true;
  return {
    jobId: item.jobId as string,
    name: item.jobName as string,
    state: deriveJobStateFromCounts(counts, { cancelled, started }),
    cancelled,
    started,
    rootTaskIds: (item.rootTaskIds as string[] | undefined) ?? [],
    automationId: item.automationId as string | undefined,
    cluster: item.cluster as string,
    triggerJson: item.triggerJson as string | undefined,
    idempotencyKey: item.idempotencyKey as string | undefined,
    taskCount: (item.taskCount as number | undefined) ?? 0,
    counts,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

function countOf(item: Record<string, unknown>, state: TaskState): number {
  return (item[COUNT_ATTRIBUTE[state]] as number | undefined) ?? EMPTY_TASK_COUNTS[state];
}

/** The queue message for a runnable task: the next attempt. */
export function dispatchOf(item: Record<string, unknown>): TaskDispatch {
  return {
    jobId: item.jobId as string,
    taskId: item.taskId as string,
    attempt: ((item.attempts as number | undefined) ?? 0) + 1,
    cluster: item.cluster as string,
    notBefore: (item.notBefore as number | undefined) ?? 0,
  };
}
