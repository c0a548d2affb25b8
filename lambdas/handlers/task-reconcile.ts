import { reconcileTasks } from '../core/services/reconcile-service.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';

/** Every minute: re-queues tasks with expired leases, re-sends lost messages, resumes releases. */
export function createTaskReconcileHandler(runtime: HandlerRuntime) {
  return async () => {
    const result = await reconcileTasks(runtime.deps, runtime.clock());
    runtime.logger.info('reconcile done', { ...result });
    runtime.metrics.publish();
    return result;
  };
}

export const handler = () => createTaskReconcileHandler(environmentRuntime())();
