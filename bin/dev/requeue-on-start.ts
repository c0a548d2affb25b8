import { DEFAULT_CHECK_AFTER_MS } from '../../lambdas/adapters/aws/job-store/dynamodb-job-store.js';
import { resendAllWaiting } from '../../lambdas/core/services/reconcile-service.js';
import type { ServiceDependencies } from '../../lambdas/core/services/service-dependencies.js';

/**
 * Sends every runnable QUEUED task again. The local SQS server keeps its
 * queues in memory, so after a restart the messages of tasks that were
 * waiting are gone while the tasks still wait in DynamoDB. The reconciler's
 * due index holds every runnable task with a due time at most
 * `DEFAULT_CHECK_AFTER_MS` after its release, so everything released before
 * `startedAt` is found; each one's next due time moves past that bound, so
 * every page brings new tasks. RUNNING tasks of the previous process come
 * back through the reconciler once their lease expires.
 *
 * @example
 * ```ts
 * const resent = await resendQueuedTasks(runtime.deps, runtime.clock());
 * ```
 */
export function resendQueuedTasks(deps: ServiceDependencies, startedAt: number): Promise<number> {
  return resendAllWaiting(deps, startedAt + DEFAULT_CHECK_AFTER_MS, startedAt);
}
