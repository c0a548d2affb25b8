import { deriveJobStateFromCounts, EMPTY_TASK_COUNTS } from '../../../core/jobs/job-counts.js';
import type { TaskVersion } from '../../../core/jobs/task-identifier.js';
import { parseTaskVersion } from '../../../core/jobs/task-identifier.js';
import type { ValidatedTaskSpec } from '../../../core/jobs/task-spec.js';
import type { TaskState } from '../../../core/jobs/task-state.js';
import { TRIGGER_INPUT_KEY } from '../../../core/jobs/trigger-payload.js';
import type { StoredJob, StoredTask } from '../../../core/ports/job-store.js';
import type { TaskMessage } from '../../../core/ports/task-queue.js';
import { isTraceparent } from '../../../core/ports/tracing.js';
import { type JobStoreContext, shardOf } from './store-context.js';

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
const JOB_PK_PREFIX = 'JOB#';

export const jobPk = (jobId: string) => `${JOB_PK_PREFIX}${jobId}`;
export const jobKey = (jobId: string) => ({ pk: jobPk(jobId), sk: JOB_SK });
/**
 * A job's single root task lives in the job item and has the job's id
 * (`isInlineRoot`): its claim, heartbeat and completion each write one item.
 */
export const isInlineRoot = (jobId: string, taskId: string) => jobId === taskId;
export const taskKey = (jobId: string, taskId: string) =>
  isInlineRoot(jobId, taskId)
    ? jobKey(jobId)
    : { pk: jobPk(jobId), sk: `${TASK_SK_PREFIX}${taskId}` };
export const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: IDEMPOTENCY_SK });

/** The ids of the task an item holds: a task item, or a job item with an inline root. */
export function idsOf(item: { pk?: unknown; sk?: unknown }): { jobId: string; taskId: string } {
  const jobId = String(item.pk).slice(JOB_PK_PREFIX.length);
  const sk = String(item.sk);
  return { jobId, taskId: sk === JOB_SK ? jobId : sk.slice(TASK_SK_PREFIX.length) };
}

/** The due-index attributes: the reconciler looks at the task at `dueAt`. */
export function dueAttributes(
  context: Pick<JobStoreContext, 'dueShards'>,
  taskId: string,
  dueAt: number,
) {
  return { dueShard: `DUE#${shardOf(taskId, context.dueShards)}`, dueAt };
}

/** UTC day and shard of a job, the partition of the by-creation index: `JOBS#2025-01-15#3`. */
export function createdDay(
  context: Pick<JobStoreContext, 'createdShards'>,
  jobId: string,
  createdAt: number,
): string {
  return `${dayBucket(createdAt)}#${shardOf(jobId, context.createdShards)}`;
}

/**
 * Partition of the day markers (sk `JOBS#yyyy-mm-dd`): one item per UTC day
 * that has jobs, written by each store instance once per day before its
 * first job of the day, so that job queries skip empty days.
 */
export const JOB_DAYS_PK = 'JOBDAYS';

/** `JOBS#yyyy-mm-dd` of an epoch-ms time (UTC). */
export function dayBucket(time: number): string {
  return `JOBS#${new Date(time).toISOString().slice(0, 10)}`;
}

/** Sort key of the by-creation index: fixed-width time, so strings sort as times. */
export function createdSortKey(createdAt: number, jobId: string): string {
  return `${String(createdAt).padStart(15, '0')}#${jobId}`;
}

/** A task item as stored; optional attributes are absent rather than null. */
export type TaskItem = Record<string, unknown> & { pk: string; sk: string };

export interface BatchParent {
  readonly jobId: string;
  /** null for a job's root tasks. */
  readonly parentId: string | null;
  readonly parentAttempt?: number | undefined;
  /** Cluster of tasks that do not name one. */
  readonly cluster: string;
  /** QUEUED, or CANCELLED when the job no longer accepts work. */
  readonly state: 'QUEUED' | 'CANCELLED';
  /** Whether the parent's settlement releases anything (its own dependents or its parent's). */
  readonly parentTracks: boolean;
  /** The span the tasks' attempts are children of; dropped unless a well-formed traceparent. */
  readonly traceparent?: string | undefined;
}

/**
 * Task attributes for one validated batch (a job's roots, or one
 * completion's subtasks): ids in input order, `dependsOn` indices turned
 * into ids, and each task's `dependents`. Tasks without dependencies are
 * released at once (their parent is computed, or they are roots) when QUEUED.
 * A task notifies its parent when it settles only if the parent's
 * settlement releases something (`notifyParent`).
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
    const waitsFor = spec.dependsOn.map((target) => ids[target] as string);
    const waitedOnBy = dependents[index] ?? [];
    return {
      ...taskKey(parent.jobId, taskId),
      ...(parent.parentId === null ? {} : { parentId: parent.parentId }),
      ...(parent.parentAttempt === undefined ? {} : { parentAttempt: parent.parentAttempt }),
      ...(parent.parentTracks ? { notifyParent: true } : {}),
      taskName: spec.identifier.name,
      versionMajor: major,
      versionMinor: minor,
      inputJson: spec.inputJson,
      display: spec.display,
      cluster: spec.cluster ?? parent.cluster,
      state: parent.state,
      ...(waitsFor.length > 0 ? { dependsOn: waitsFor } : {}),
      ...(waitedOnBy.length > 0 ? { dependents: waitedOnBy } : {}),
      maxRetries: spec.maxRetries,
      attempts: 0,
      retries: 0,
      leaseExpiries: 0,
      notBefore: 0,
      createdAt: now,
      updatedAt: now,
      ...(released
        ? { enqueuedAt: now, ...dueAttributes(context, taskId, now + context.checkAfterMs) }
        : {}),
      ...(isTraceparent(parent.traceparent) ? { traceparent: parent.traceparent } : {}),
    };
  });
}

/** Whether a task's settlement releases something: it has dependents, or its parent tracks it. */
export function tracksSettlement(item: Record<string, unknown>): boolean {
  return item.notifyParent === true || listOf(item.dependents).length > 0;
}

/** Reads a task item (or a job item's inline root) into the port's record. */
export function toTask(item: Record<string, unknown>): StoredTask {
  const state = item.state as TaskState;
  const { jobId, taskId } = idsOf(item);
  return {
    jobId,
    taskId,
    parentId: (item.parentId as string | undefined) ?? null,
    identifier: {
      name: item.taskName as string,
      version: `v${item.versionMajor as number}.${item.versionMinor as number}` as TaskVersion,
    },
    inputJson: item.inputJson as string,
    display: item.display as string,
    cluster: item.cluster as string,
    state,
    dependsOn: listOf(item.dependsOn),
    dependents: listOf(item.dependents),
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
    dueAt: item.dueAt as number | undefined,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

/** Whether a job item holds its root task. */
export function hasInlineRoot(item: Record<string, unknown>): boolean {
  return item.sk === JOB_SK && item.taskName !== undefined;
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
  const { jobId } = idsOf(item);
  const inline = hasInlineRoot(item);
  return {
    jobId,
    name: item.jobName as string,
    state: deriveJobStateFromCounts(counts, { cancelled, started }),
    cancelled,
    started,
    rootTaskIds:
      listOf(item.rootTaskIds).length > 0 || !inline ? listOf(item.rootTaskIds) : [jobId],
    automationId: item.automationId as string | undefined,
    cluster: item.cluster as string,
    triggerJson:
      (item.triggerJson as string | undefined) ??
      (inline && item.triggerInRoot === true ? rootTrigger(item.inputJson) : undefined),
    idempotencyKey: item.idempotencyKey as string | undefined,
    ...(isTraceparent(item.traceparent) ? { traceparent: item.traceparent } : {}),
    taskCount: (item.taskCount as number | undefined) ?? 0,
    counts,
    createdAt: item.createdAt as number,
    updatedAt: item.updatedAt as number,
  };
}

/**
 * The job's trigger as stored in its root task's input, or undefined when it
 * is not there (a free-form trigger is stored on the job itself).
 */
export function rootTrigger(inputJson: unknown): string | undefined {
  if (typeof inputJson !== 'string') return undefined;
  const input = JSON.parse(inputJson) as Record<string, unknown> | null;
  const trigger = input && typeof input === 'object' ? input[TRIGGER_INPUT_KEY] : undefined;
  return trigger === undefined ? undefined : JSON.stringify(trigger);
}

function countOf(item: Record<string, unknown>, state: TaskState): number {
  return (item[COUNT_ATTRIBUTE[state]] as number | undefined) ?? EMPTY_TASK_COUNTS[state];
}

function listOf(value: unknown): string[] {
  return (value as string[] | undefined) ?? [];
}

/** The queue message for a runnable task: the next attempt. */
export function dispatchOf(item: Record<string, unknown>): TaskMessage {
  const { jobId, taskId } = idsOf(item);
  return {
    jobId,
    taskId,
    attempt: ((item.attempts as number | undefined) ?? 0) + 1,
    cluster: item.cluster as string,
    identifier: {
      name: item.taskName as string,
      version: `v${item.versionMajor as number}.${item.versionMinor as number}` as TaskVersion,
    },
    notBefore: (item.notBefore as number | undefined) ?? 0,
    ...(isTraceparent(item.traceparent) ? { traceparent: item.traceparent } : {}),
  };
}

/** The key of a claimed attempt in the context's claim cache. */
export function leaseCacheKey(lease: {
  jobId: string;
  taskId: string;
  attempt: number;
  runnerId: string;
}) {
  return `${lease.jobId}/${lease.taskId}/${lease.attempt}/${lease.runnerId}`;
}
