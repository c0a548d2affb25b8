import type { JobStore, TaskDispatch } from '../ports/job-store.js';
import type { ServiceDependencies } from './service-dependencies.js';

/** Tasks looked at per kind and run; the next run takes the rest. */
export const RECONCILE_LIMIT = 200;
/** A runnable task not claimed for this long is sent again (its send may have been lost). */
export const UNSENT_AFTER_MS = 2 * 60_000;
/** A completion whose releases have not finished after this long is resumed. */
export const PENDING_RELEASE_AFTER_MS = 60_000;

export interface ReconcileResult {
  readonly expired: number;
  readonly resent: number;
  readonly resumed: number;
}

/**
 * Repairs what crashes leave behind: tasks whose runner stopped heartbeating
 * (lease expired: re-queued, up to the core's limit, then failed), runnable
 * tasks whose queue message was lost, and completions whose dependent
 * releases did not finish.
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
  const toSend: TaskDispatch[] = [];

  const expired = await deps.jobs.findExpiredLeases(now, RECONCILE_LIMIT);
  for (const lease of expired) {
    const result = await deps.jobs.requeueExpired(lease);
    if (result.requeued && result.retry) toSend.push(result.retry);
  }

  const { resent } = await takeUnsentTasks(deps.jobs, now - UNSENT_AFTER_MS);
  toSend.push(...resent);

  const pending = await deps.jobs.findPendingReleases(
    now - PENDING_RELEASE_AFTER_MS,
    RECONCILE_LIMIT,
  );
  for (const release of pending) {
    toSend.push(...(await deps.jobs.resumeReleases(release.jobId, release.taskId)));
  }

  if (toSend.length > 0) await deps.dispatchTasks(toSend);
  if (expired.length)
    deps.observe?.({ type: 'tasks-requeued', reason: 'lease-expired', count: expired.length });
  if (resent.length)
    deps.observe?.({ type: 'tasks-requeued', reason: 'unsent', count: resent.length });
  if (pending.length)
    deps.observe?.({ type: 'tasks-requeued', reason: 'pending-release', count: pending.length });
  return { expired: expired.length, resent: resent.length, resumed: pending.length };
}

/**
 * One page of runnable tasks released before `releasedBefore` and not
 * claimed since, each marked re-sent (a conditional write, so of two
 * reconcilers one wins): `resent` holds the ones this call must send,
 * `found` how many the page held (a full page means there may be more).
 *
 * @example
 * ```ts
 * const { resent } = await takeUnsentTasks(jobs, Date.now() - UNSENT_AFTER_MS);
 * ```
 */
export async function takeUnsentTasks(
  jobs: Pick<JobStore, 'findUnsentTasks' | 'markResent'>,
  releasedBefore: number,
): Promise<{ readonly found: number; readonly resent: TaskDispatch[] }> {
  const unsent = await jobs.findUnsentTasks(releasedBefore, RECONCILE_LIMIT);
  const resent: TaskDispatch[] = [];
  for (const dispatch of unsent) {
    if (await jobs.markResent(dispatch)) resent.push(dispatch);
  }
  return { found: unsent.length, resent };
}
