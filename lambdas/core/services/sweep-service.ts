import type { AutomationCatalog } from './automation-catalog.js';
import { dispatchClosedBatches } from './batch-dispatch.js';
import type { ServiceDependencies } from './service-dependencies.js';

/** How many due batches one sweep closes; the next sweep takes the rest. */
export const SWEEP_BATCH_LIMIT = 500;
/** Closed batches younger than this are left to the invocation that closed them. */
export const UNDISPATCHED_GRACE_MS = 60_000;

export interface SweepResult {
  readonly closed: number;
  readonly redispatched: number;
}

/**
 * Closes the batches whose quiet or max-age deadline has passed and delivers
 * them, then re-delivers batches an earlier invocation closed but did not
 * finish dispatching (it crashed, or EventBridge refused).
 *
 * @example
 * ```ts
 * await sweepBatches(deps, catalog, Date.now());
 * ```
 */
export async function sweepBatches(
  deps: ServiceDependencies,
  catalog: AutomationCatalog,
  now: number,
): Promise<SweepResult> {
  const due = await deps.batches.findDue(now, SWEEP_BATCH_LIMIT);
  const closed = [];
  for (const open of due) {
    const batch = await deps.batches.closeDue(open, now);
    if (!batch) continue;
    closed.push(batch);
    deps.observe?.({
      type: 'batch-closed',
      automation: catalog.find(batch.automationId)?.name ?? batch.automationId,
      batch,
    });
  }
  const automationOf = (id: string) => catalog.batchAutomation(id);
  await dispatchClosedBatches(deps, closed, automationOf, now);
  const stranded = await deps.batches.findUndispatched(
    now - UNDISPATCHED_GRACE_MS,
    SWEEP_BATCH_LIMIT,
  );
  await dispatchClosedBatches(deps, stranded, automationOf, now);
  return { closed: closed.length, redispatched: stranded.length };
}
