import { cronTick } from '../core/services/cron-service.js';
import { environmentRuntime } from './lazy-runtime.js';
import type { HandlerRuntime } from './runtime.js';

/** Every minute: each due fire time of each enabled cron automation submits exactly one job. */
export function createCronTickHandler(runtime: HandlerRuntime) {
  return async () => {
    const now = runtime.clock();
    const catalog = await runtime.catalog(now);
    const result = await cronTick(runtime.deps, runtime.automations, catalog.cron, now);
    runtime.logger.info('cron tick done', { ...result });
    runtime.metrics.publish();
    await runtime.flushTraces();
    return result;
  };
}

export const handler = () => createCronTickHandler(environmentRuntime())();
