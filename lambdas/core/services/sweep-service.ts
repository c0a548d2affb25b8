import { mapConcurrent } from '../collections.js';
import type { BatchRecord } from '../ports/batch-store.js';
import type { AutomationCatalog } from './automation-catalog.js';
import {
  DISPATCH_CONCURRENCY,
  dispatchClosedBatches,
  STUCK_AFTER_ATTEMPTS,
} from './batch-dispatch.js';
import type { ServiceDependencies } from './service-dependencies.js';

/** How many due batches one sweep closes; the next sweep takes the rest. */
export const SWEEP_BATCH_LIMIT = 500;
/** How long a sweep holds a batch it re-dispatches before another sweep may try it. */
export const REDISPATCH_LEASE_MS = 5 * 60_000;
/** Undispatched batches read per sweep to count the stuck ones. */
const STUCK_SCAN_LIMIT = 1000;

export interface SweepResult {
  readonly closed: number;
  readonly redispatched: number;
  /** Dispatch attempts that failed in this sweep (they are retried with backoff). */
  readonly failed: number;
  /** Undispatched batches whose dispatch failed `STUCK_AFTER_ATTEMPTS` times or more. */
  readonly stuck: number;
}

/**
 * Closes the batches whose quiet or max-age deadline has passed and
 * delivers them, then re-delivers batches whose retry time (processing
 * time) has come: closed by an invocation that died before dispatching,
 * or whose dispatch failed. Closing and dispatching are concurrent and
 * bounded, and one batch that cannot be dispatched delays no other.
 * Finally it counts the stuck batches (a metric with an alarm on AWS).
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
  const closed: BatchRecord[] = [];
  await mapConcurrent(due, DISPATCH_CONCURRENCY, async (open) => {
    try {
      const batch = await deps.batches.closeDue(open, now);
      if (!batch) return;
      closed.push(batch);
      deps.observe?.({
        type: 'batch-closed',
        automation: catalog.find(batch.automationId)?.name ?? batch.automationId,
        batch,
      });
    } catch (error) {
      deps.observe?.({ type: 'error', where: `closing batch ${open.batchId}`, error });
    }
  });
  const automationOf = (id: string) => catalog.batchAutomation(id);
  const fresh = await dispatchClosedBatches(deps, closed, automationOf, now);
  const waiting = await deps.batches.findUndispatched(now, SWEEP_BATCH_LIMIT);
  const leased: BatchRecord[] = [];
  await mapConcurrent(waiting, DISPATCH_CONCURRENCY, async (batch) => {
    try {
      if (await deps.batches.leaseDispatch(batch, now, REDISPATCH_LEASE_MS)) leased.push(batch);
    } catch (error) {
      deps.observe?.({ type: 'error', where: `leasing batch ${batch.batchId}`, error });
    }
  });
  const retried = await dispatchClosedBatches(deps, leased, automationOf, now);
  const undispatched = await deps.batches.listUndispatched(STUCK_SCAN_LIMIT);
  const stuck = undispatched.filter((batch) => batch.attempts >= STUCK_AFTER_ATTEMPTS).length;
  deps.observe?.({ type: 'batches-stuck', count: stuck });
  return {
    closed: closed.length,
    redispatched: retried.dispatched,
    failed: fresh.failed + retried.failed,
    stuck,
  };
}
