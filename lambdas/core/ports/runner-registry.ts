import type { RunnerAnnouncement } from '../jobs/task-routing.js';

export type { RunnerAnnouncement } from '../jobs/task-routing.js';

/** A runner as the registry keeps it. Times are epoch ms. */
export interface RunnerRegistration extends RunnerAnnouncement {
  /** `process` for long-running runners, `lambda` for a function on its queues. */
  readonly kind: 'process' | 'lambda';
  readonly startedAt: number;
  /** When the runner last announced itself. */
  readonly seenAt: number;
  /** When the registration lapses unless announced again. */
  readonly expiresAt: number;
}

/**
 * Which runners poll which task routes: each runner announces its cluster
 * and registered identifiers when it starts and again before the
 * announcement lapses, and withdraws when it stops. Routing does not depend
 * on it (a runner polls its routes' queues); it tells users why a task waits.
 *
 * @example
 * ```ts
 * await registry.announce({ runnerId, cluster: 'gpu', identifiers, kind: 'process' }, 15 * 60_000);
 * const live = await registry.list('gpu');
 * ```
 */
export interface RunnerRegistry {
  /** Records (or refreshes) a runner for `ttlMs` from now. */
  announce(
    announcement: RunnerAnnouncement & { readonly kind: RunnerRegistration['kind'] },
    ttlMs: number,
  ): Promise<void>;
  /** Removes a runner's registration; nothing happens when there is none. */
  withdraw(cluster: string, runnerId: string): Promise<void>;
  /** The cluster's registrations that have not lapsed. */
  list(cluster: string): Promise<RunnerRegistration[]>;
}
