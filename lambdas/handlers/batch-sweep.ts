import { sweepBatches } from '../core/services/sweep-service.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';

/** Every minute: closes batches past their quiet or max-age deadline and delivers them. */
export function createBatchSweepHandler(runtime: HandlerRuntime) {
  return async () => {
    const now = runtime.clock();
    const result = await sweepBatches(runtime.deps, await runtime.catalog(now), now);
    runtime.logger.info('sweep done', { ...result });
    runtime.metrics.publish();
    return result;
  };
}

export const handler = () => createBatchSweepHandler(environmentRuntime())();
