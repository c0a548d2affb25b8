import { ValidationError } from '../errors.js';

/** Retries a task gets when its spec does not say (Tilebox's default). */
export const DEFAULT_MAX_RETRIES = 0;
/** Highest `maxRetries` a task may ask for. */
export const MAX_RETRIES_LIMIT = 100;
/**
 * How often a task's lease may expire (runner crash, no heartbeat) and the
 * task be re-queued; the next expiry fails it. Independent of `maxRetries`,
 * which counts errors the task itself raised.
 */
export const MAX_LEASE_EXPIRIES = 10;
/** Delay before the first retry of a failed attempt. */
export const RETRY_BASE_DELAY_SECONDS = 1;
/** Longest delay between retries; below SQS's 900 s message delay limit. */
export const RETRY_MAX_DELAY_SECONDS = 300;

/**
 * Seconds to wait before retry number `retry` (1 for the first retry):
 * 1, 2, 4, 8 … doubling, capped at 300 s (reached at the 10th retry).
 * Deterministic; a caller that wants jitter adds it.
 *
 * @example
 * ```ts
 * retryDelaySeconds(1); // 1
 * retryDelaySeconds(4); // 8
 * retryDelaySeconds(50); // 300
 * ```
 */
export function retryDelaySeconds(retry: number): number {
  if (!Number.isInteger(retry) || retry < 1) {
    throw new ValidationError('retry', `must be an integer >= 1, got ${retry}`);
  }
  // 2 ** 9 = 512 already exceeds the cap; never compute huge powers.
  const doublings = Math.min(retry - 1, 16);
  return Math.min(RETRY_BASE_DELAY_SECONDS * 2 ** doublings, RETRY_MAX_DELAY_SECONDS);
}

/** The counters a task record keeps about ended attempts. */
export interface AttemptCounters {
  /** Failed attempts that were retried so far. */
  readonly retries: number;
  /** Leases that expired so far. */
  readonly leaseExpiries: number;
}

/**
 * What happens to a task whose attempt ended without a result: its next state
 * and counters, and for a re-queue how long to delay it.
 */
export type AttemptOutcome =
  | (AttemptCounters & { readonly state: 'QUEUED'; readonly delaySeconds: number })
  | (AttemptCounters & { readonly state: 'FAILED' | 'CANCELLED'; readonly reason: string });

/**
 * Decides what follows a failed attempt (the task raised an error). With
 * retries left it is re-queued after {@link retryDelaySeconds}; without, it
 * fails. In a job that accepts no new work (cancelled or failed) a task with
 * retries left is CANCELLED instead, so that a job retry resumes it.
 *
 * @example
 * ```ts
 * planFailedAttempt({ retries: 0, leaseExpiries: 0, maxRetries: 2 }, true);
 * // { state: 'QUEUED', delaySeconds: 1, retries: 1, leaseExpiries: 0 }
 * ```
 */
export function planFailedAttempt(
  task: AttemptCounters & { readonly maxRetries: number },
  jobAcceptsWork: boolean,
): AttemptOutcome {
  const { retries, leaseExpiries } = task;
  if (retries >= task.maxRetries) {
    const reason =
      task.maxRetries === 0
        ? 'the task failed and has no retries'
        : `the task failed after ${retries} retries (maxRetries ${task.maxRetries})`;
    return { state: 'FAILED', reason, retries, leaseExpiries };
  }
  if (!jobAcceptsWork) {
    return {
      state: 'CANCELLED',
      reason: 'the job is stopped',
      retries: retries + 1,
      leaseExpiries,
    };
  }
  return {
    state: 'QUEUED',
    delaySeconds: retryDelaySeconds(retries + 1),
    retries: retries + 1,
    leaseExpiries,
  };
}

/**
 * Decides what follows an expired lease (the runner stopped heartbeating).
 * The task is re-queued at once up to {@link MAX_LEASE_EXPIRIES} times; the
 * expiry after that fails it. In a stopped job it is CANCELLED instead.
 *
 * @example
 * ```ts
 * planLeaseExpiry({ retries: 0, leaseExpiries: 10 }, true).state; // 'FAILED'
 * ```
 */
export function planLeaseExpiry(task: AttemptCounters, jobAcceptsWork: boolean): AttemptOutcome {
  const retries = task.retries;
  const leaseExpiries = task.leaseExpiries + 1;
  if (leaseExpiries > MAX_LEASE_EXPIRIES) {
    const reason = `the task's lease expired ${leaseExpiries} times (runner crashed or stopped heartbeating)`;
    return { state: 'FAILED', reason, retries, leaseExpiries };
  }
  if (!jobAcceptsWork) {
    return { state: 'CANCELLED', reason: 'the job is stopped', retries, leaseExpiries };
  }
  return { state: 'QUEUED', delaySeconds: 0, retries, leaseExpiries };
}
