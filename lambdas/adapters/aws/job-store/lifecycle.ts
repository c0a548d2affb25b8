import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { buildTaskGraph, isRunnable } from '../../../core/jobs/task-graph.js';
import { type TaskState, tasksToCancel, tasksToRequeue } from '../../../core/jobs/task-state.js';
import type { CancelJobResult, RetryJobResult } from '../../../core/ports/job-store.js';
import { JobNotFoundError } from '../../../core/ports/job-store.js';
import {
  COUNT_ATTRIBUTE,
  dispatchOf,
  dueAttributes,
  idsOf,
  isInlineRoot,
  jobKey,
  type TaskItem,
  taskKey,
  toJob,
} from './items.js';
import { getItem, listTaskItems } from './reads.js';
import {
  ConditionFailed,
  commit,
  conditionalWrite,
  type JobStoreContext,
  UpdateBuilder,
  type Write,
} from './store-context.js';

/** Tasks changed per transaction by cancel and retry (plus the job item). */
const CHUNK = 50;
/** Rounds of re-reading a chunk whose tasks changed underneath. */
const CHUNK_ROUNDS = 5;

/**
 * Cancels every QUEUED task of a job (the core's `tasksToCancel`), in
 * transactions of up to 50 tasks plus the job's counters. Running tasks
 * finish. A task that left QUEUED meanwhile is skipped on a re-read.
 */
export async function cancelQueuedTasks(context: JobStoreContext, jobId: string): Promise<number> {
  const tasks = await listTaskItems(context, jobId);
  const ids = new Set(tasksToCancel(tasks.map(graphNode)));
  const changed = await changeStates(
    context,
    jobId,
    tasks.filter((task) => ids.has(idsOf(task).taskId)),
    () => ({ to: 'CANCELLED', runnable: false }),
  );
  return changed.length;
}

/** Cancels a job: sets its cancelled flag, then cancels its QUEUED tasks. */
export async function cancelJob(context: JobStoreContext, jobId: string): Promise<CancelJobResult> {
  const now = context.clock();
  const update = new UpdateBuilder().set('cancelled', true).set('updatedAt', now);
  update.when('attribute_exists(pk)');
  const found = await conditionalWrite(`cancel job ${jobId}`, () =>
    context.doc.send(
      new UpdateCommand({ TableName: context.tableName, Key: jobKey(jobId), ...update.build() }),
    ),
  );
  if (!found) throw new JobNotFoundError(jobId);
  const cancelled = await cancelQueuedTasks(context, jobId);
  return { job: await readJob(context, jobId), cancelled };
}

/**
 * Retries a job: its FAILED and CANCELLED tasks go back to QUEUED with their
 * retry and lease-expiry counters reset (`attempts` keeps counting, so queue
 * messages of earlier attempts stay unable to claim); computed work is kept.
 * Which of them may run at once is the core graph's `isRunnable`.
 */
export async function retryJob(context: JobStoreContext, jobId: string): Promise<RetryJobResult> {
  const job = await getItem(context, jobKey(jobId));
  if (!job) throw new JobNotFoundError(jobId);
  const tasks = await listTaskItems(context, jobId);
  const requeue = new Set(tasksToRequeue(tasks.map(graphNode)));
  const graph = buildTaskGraph(
    tasks.map((task) => ({
      ...graphNode(task),
      state: requeue.has(idsOf(task).taskId) ? 'QUEUED' : (task.state as TaskState),
    })),
  );
  const chosen = tasks.filter((task) => requeue.has(idsOf(task).taskId));
  const requeued = await changeStates(context, jobId, chosen, (task) => ({
    to: 'QUEUED',
    runnable: isRunnable(graph, idsOf(task).taskId),
  }));
  const runnable = requeued
    .filter((task) => isRunnable(graph, idsOf(task).taskId))
    .map((task) => dispatchOf({ ...task, notBefore: 0 }));
  const now = context.clock();
  const update = new UpdateBuilder().set('cancelled', false).set('updatedAt', now);
  await conditionalWrite(`retry job ${jobId}`, () =>
    context.doc.send(
      new UpdateCommand({ TableName: context.tableName, Key: jobKey(jobId), ...update.build() }),
    ),
  );
  return { job: await readJob(context, jobId), requeued: requeued.length, runnable };
}

interface Change {
  readonly to: 'QUEUED' | 'CANCELLED';
  readonly runnable: boolean;
}

/** Moves tasks to a new state in chunks, each chunk one transaction with the job's counters. */
async function changeStates(
  context: JobStoreContext,
  jobId: string,
  tasks: readonly TaskItem[],
  change: (task: TaskItem) => Change,
): Promise<TaskItem[]> {
  const changed: TaskItem[] = [];
  for (let offset = 0; offset < tasks.length; offset += CHUNK) {
    let chunk = tasks.slice(offset, offset + CHUNK);
    for (let round = 1; chunk.length > 0; round++) {
      try {
        await commit(
          context,
          `change tasks of job ${jobId}`,
          chunkItems(context, jobId, chunk, change),
        );
        changed.push(...chunk);
        break;
      } catch (error) {
        if (!(error instanceof ConditionFailed) || round >= CHUNK_ROUNDS) throw error;
        // Some task changed state meanwhile: keep only those still in the state we read.
        const fresh = await Promise.all(
          chunk.map((task) => getItem(context, taskKey(jobId, idsOf(task).taskId))),
        );
        chunk = chunk.filter((task, index) => fresh[index]?.state === task.state) as TaskItem[];
      }
    }
  }
  return changed;
}

function chunkItems(
  context: JobStoreContext,
  jobId: string,
  chunk: readonly TaskItem[],
  change: (task: TaskItem) => Change,
): Write[] {
  const now = context.clock();
  const deltas = new Map<TaskState, number>();
  const job = new UpdateBuilder().set('updatedAt', now);
  const writes: Write[] = [];
  for (const task of chunk) {
    const { to, runnable } = change(task);
    const from = task.state as TaskState;
    const { taskId } = idsOf(task);
    deltas.set(from, (deltas.get(from) ?? 0) - 1);
    deltas.set(to, (deltas.get(to) ?? 0) + 1);
    // A job's inline root is the job item: its change rides on the job's update.
    const update = isInlineRoot(jobId, taskId) ? job : new UpdateBuilder();
    update.set('state', to).set('updatedAt', now);
    if (to === 'QUEUED') update.set('retries', 0).set('leaseExpiries', 0).set('notBefore', 0);
    if (runnable) {
      const due = dueAttributes(context, taskId, now + context.checkAfterMs);
      update.set('enqueuedAt', now).set('dueShard', due.dueShard).set('dueAt', due.dueAt);
    } else update.remove('enqueuedAt', 'dueShard', 'dueAt');
    update.when(
      `${update.n('state')} = ${update.v(from)} AND ${update.n('attempts')} = ${update.v(task.attempts)}`,
    );
    if (update !== job) writes.push({ key: taskKey(jobId, taskId), update });
  }
  for (const [state, delta] of deltas) if (delta !== 0) job.add(COUNT_ATTRIBUTE[state], delta);
  return [...writes, { key: jobKey(jobId), update: job }];
}

async function readJob(context: JobStoreContext, jobId: string) {
  const item = await getItem(context, jobKey(jobId));
  if (!item) throw new JobNotFoundError(jobId);
  return toJob(item);
}

function graphNode(task: TaskItem) {
  return {
    id: idsOf(task).taskId,
    parentId: (task.parentId as string | undefined) ?? null,
    dependsOn: (task.dependsOn as string[] | undefined) ?? [],
    state: task.state as TaskState,
  };
}
