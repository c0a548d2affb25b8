import { groupBy, mapConcurrent } from '../collections.js';
import { routeKey, taskRouteOf } from '../jobs/task-routing.js';
import type { StoredTask } from '../ports/job-store.js';
import type { TaskMessage } from '../ports/task-queue.js';
import type { ServiceDependencies } from './service-dependencies.js';

/** Due tasks looked at per run; the next run takes the rest (oldest first). */
export const RECONCILE_LIMIT = 500;
/** Store writes of a run in flight at once. */
const RECONCILE_CONCURRENCY = 16;
/** After a re-send, the next look at a task that is still waiting. */
export const RESENT_RECHECK_MS = 2 * 60_000;
/**
 * A waiting task whose queue holds enough messages is looked at again this
 * much later: at most one send per task per hour when nothing is lost.
 */
export const WAITING_RECHECK_MS = 60 * 60_000;

export interface ReconcileResult {
  /** RUNNING tasks whose lease had expired: re-queued (or failed). */
  readonly expired: number;
  /** Runnable tasks sent again because their queue holds fewer messages than tasks wait. */
  readonly resent: number;
  /** Runnable tasks whose message is in their queue: looked at again in an hour. */
  readonly waiting: number;
  /** Completions whose follow-up releases were redone. */
  readonly resumed: number;
}

/** What to do with a due task. */
export type DueAction = 'check-send' | 'extend' | 'requeue' | 'resume' | 'clear';

/**
 * The reconciler's decision for a task found due: a runnable QUEUED task may
 * have lost its send; a RUNNING one is re-queued once its lease expired, else
 * looked at again when it would; a COMPUTED one has follow-up releases to
 * redo; anything else leaves the due index.
 *
 * @example
 * ```ts
 * dueAction({ state: 'RUNNING', leaseExpiresAt: 1_000, runnable: false }, 2_000); // 'requeue'
 * ```
 */
export function dueAction(
  task: Pick<StoredTask, 'state' | 'runnable' | 'leaseExpiresAt'>,
  now: number,
): DueAction {
  switch (task.state) {
    case 'QUEUED':
      return task.runnable ? 'check-send' : 'clear';
    case 'RUNNING':
      return (task.leaseExpiresAt ?? 0) > now ? 'extend' : 'requeue';
    case 'COMPUTED':
      return 'resume';
    default:
      return 'clear';
  }
}

/** The queue message of a runnable task: its next attempt. */
export function dispatchOfTask(task: StoredTask): TaskMessage {
  return {
    jobId: task.jobId,
    taskId: task.taskId,
    attempt: task.attempts + 1,
    cluster: task.cluster,
    identifier: task.identifier,
    notBefore: task.notBefore,
  };
}

/**
 * Repairs what crashes and lost sends leave behind, one bounded page of due
 * tasks per run (oldest first): tasks whose runner stopped heartbeating
 * (lease expired: re-queued, up to the core's limit, then failed),
 * completions whose dependent releases did not finish, and runnable tasks
 * whose queue message was lost. A waiting task is sent again only when its
 * queue holds fewer messages (visible, delayed or in flight) than the due
 * tasks of that queue — a queue without a runner keeps its messages, so its
 * tasks are left alone and looked at again in an hour.
 *
 * @example
 * ```ts
 * await reconcileTasks(deps, Date.now());
 * ```
 */
export async function reconcileTasks(
  deps: ServiceDependencies,
  now: number,
): Promise<ReconcileResult> {
  const due = await deps.jobs.findDueTasks(now, RECONCILE_LIMIT);
  const result = await reconcileDue(deps, due, now, { assumeLost: false, deferFrom: now });
  if (result.expired)
    deps.observe?.({ type: 'tasks-requeued', reason: 'lease-expired', count: result.expired });
  if (result.resent)
    deps.observe?.({ type: 'tasks-requeued', reason: 'unsent', count: result.resent });
  if (result.resumed)
    deps.observe?.({ type: 'tasks-requeued', reason: 'pending-release', count: result.resumed });
  return result;
}

/**
 * Sends every runnable task released up to `upTo` again, whatever its
 * queue holds: for a queue server that lost its messages (the local SQS
 * server keeps them in memory). Pages through the due index; every task
 * handled moves past `upTo`, so each page brings new ones. Returns how many
 * were sent.
 *
 * @example
 * ```ts
 * await resendAllWaiting(deps, startedAt + DEFAULT_CHECK_AFTER_MS, Date.now());
 * ```
 */
export async function resendAllWaiting(
  deps: ServiceDependencies,
  upTo: number,
  now: number,
  maxPages = 1_000,
): Promise<number> {
  let sent = 0;
  for (let page = 0; page < maxPages; page++) {
    const due = await deps.jobs.findDueTasks(upTo, RECONCILE_LIMIT);
    const result = await reconcileDue(deps, due, now, { assumeLost: true, deferFrom: upTo + 1 });
    sent += result.resent;
    if (due.length < RECONCILE_LIMIT) break;
  }
  return sent;
}

/**
 * Handles one page of due tasks at `now`; every task it looks at is due
 * again no earlier than `deferFrom`.
 */
async function reconcileDue(
  deps: ServiceDependencies,
  due: readonly StoredTask[],
  now: number,
  { assumeLost, deferFrom }: { readonly assumeLost: boolean; readonly deferFrom: number },
): Promise<ReconcileResult> {
  const from = Math.max(now, deferFrom);
  const toSend: TaskMessage[] = [];
  const waiting: StoredTask[] = [];
  let expired = 0;
  let resumed = 0;
  await mapConcurrent(due, RECONCILE_CONCURRENCY, async (task) => {
    switch (dueAction(task, now)) {
      case 'check-send':
        waiting.push(task);
        break;
      case 'extend':
        await deps.jobs.deferDue(task, Math.max(task.leaseExpiresAt ?? from, from));
        break;
      case 'requeue': {
        const requeued = await deps.jobs.requeueExpired({
          jobId: task.jobId,
          taskId: task.taskId,
          attempt: task.attempts,
          runnerId: task.runnerId ?? '',
          leaseExpiresAt: task.leaseExpiresAt ?? 0,
        });
        if (requeued.requeued) {
          expired++;
          if (requeued.retry) toSend.push(requeued.retry);
        }
        break;
      }
      case 'resume':
        toSend.push(...(await deps.jobs.resumeReleases(task.jobId, task.taskId)));
        resumed++;
        break;
      case 'clear':
        await deps.jobs.clearDue(task);
        break;
    }
  });
  let resent = 0;
  let stillWaiting = 0;
  for (const group of groupBy(waiting, (task) => routeKey(routeOf(task))).values()) {
    const lost = assumeLost || (await fewerMessagesThan(deps, group));
    // Unknown (the queue's counts could not be read): the next run asks again.
    if (lost === undefined) continue;
    const next = from + (lost ? RESENT_RECHECK_MS : WAITING_RECHECK_MS);
    await mapConcurrent(group, RECONCILE_CONCURRENCY, async (task) => {
      // A conditional write: of two reconcilers, or a reconciler and a claim, one wins.
      if (!(await deps.jobs.deferDue(task, next))) return;
      if (lost) {
        toSend.push(dispatchOfTask(task));
        resent++;
      } else stillWaiting++;
    });
  }
  if (toSend.length > 0) await deps.taskQueue.send(toSend);
  return { expired, resent, waiting: stillWaiting, resumed };
}

/**
 * Whether the group's queue holds fewer messages than the group's tasks wait
 * (some sends were lost); undefined when the counts cannot be read.
 */
async function fewerMessagesThan(
  deps: ServiceDependencies,
  group: readonly StoredTask[],
): Promise<boolean | undefined> {
  const first = group[0];
  if (!first) return false;
  try {
    const depth = await deps.taskQueue.depth(routeOf(first));
    return depth.visible + depth.delayed + depth.inFlight < group.length;
  } catch (error) {
    deps.observe?.({ type: 'error', where: 'reading a task queue depth', error });
    return undefined;
  }
}

function routeOf(task: StoredTask) {
  return taskRouteOf(task.cluster, task.identifier);
}
