import type { TaskMessage } from '../ports/task-queue.js';
import type { ServiceDependencies } from './service-dependencies.js';

/**
 * Sends tasks in one call (the queue batches them 10 per request). A failed
 * send is reported, not thrown: the jobs are stored and the reconciler
 * re-sends runnable tasks that nobody claimed.
 */
export async function sendAll(
  deps: ServiceDependencies,
  tasks: readonly TaskMessage[],
): Promise<void> {
  if (tasks.length === 0) return;
  try {
    await deps.taskQueue.send(tasks);
  } catch (error) {
    deps.observe?.({
      type: 'error',
      where: `sending ${tasks.length} task(s); the reconciler re-sends them`,
      error,
    });
  }
}
