import { sweepBatches } from '../core/services/sweep-service.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';

/** Every minute: closes batches past their quiet or max-age deadline and delivers them. */
export function createBatchSweepHandler(runtime: HandlerRuntime) {
  return async () => {
    const now = runtime.clock();
    // Read fresh: a batch whose automation the catalog lacks is marked dispatched with no job,
    // and a cached catalog lacks automations created since (the schedule may first fire before
    // the config custom resource has created any). Once a minute, the cache saved no reads anyway.
    const catalog = await runtime.catalog(now, { fresh: true });
    const result = await sweepBatches(runtime.deps, catalog, now);
    runtime.logger.info('sweep done', { ...result });
    runtime.metrics.publish();
    await runtime.flushTraces();
    return result;
  };
}

export const handler = () => createBatchSweepHandler(environmentRuntime())();
