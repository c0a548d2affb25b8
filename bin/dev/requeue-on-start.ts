import type { JobStore, TaskDispatch } from '../../lambdas/core/ports/job-store.js';
import { RECONCILE_LIMIT, takeUnsentTasks } from '../../lambdas/core/services/reconcile-service.js';

/** Pages of runnable tasks re-sent at most; ample for a local data directory. */
const MAX_PAGES = 1_000;

/**
 * Sends every runnable QUEUED task again. The local SQS server keeps its
 * queues in memory, so after a restart the messages of tasks that were
 * waiting are gone while the tasks still wait in DynamoDB. The reconciler's
 * own look-up (`findUnsentTasks`, on a sparse index of runnable QUEUED tasks)
 * finds them when asked for everything released up to `startedAt`;
 * `markResent` moves each one's release time past `startedAt`, so every page
 * brings new tasks. RUNNING tasks of the previous process come back through
 * the reconciler once their lease expires.
 *
 * @example
 * ```ts
 * const resent = await resendQueuedTasks(runtime.deps.jobs, runtime.deps.dispatchTasks, Date.now());
 * ```
 */
export async function resendQueuedTasks(
  jobs: Pick<JobStore, 'findUnsentTasks' | 'markResent'>,
  dispatch: (tasks: readonly TaskDispatch[]) => Promise<void>,
  startedAt: number,
): Promise<number> {
  let total = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { found, resent } = await takeUnsentTasks(jobs, startedAt);
    if (resent.length > 0) await dispatch(resent);
    total += resent.length;
    if (found < RECONCILE_LIMIT) break;
  }
  return total;
}
