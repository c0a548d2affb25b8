import type { RunnerAnnouncement } from '../core/jobs/task-routing.js';
import type { RunnerRegistration, RunnerRegistry } from '../core/ports/runner-registry.js';

/** A process runner's registration lapses this long after its last announcement. */
export const PROCESS_RUNNER_TTL_MS = 15 * 60_000;
/** A running process runner announces itself again this often. */
export const PROCESS_RUNNER_REFRESH_MS = 5 * 60_000;

/**
 * Keeps one runner's registration alive while it runs: announces it at
 * start, again every `refreshMs` (so it never lapses while the process
 * lives), and withdraws it at stop. A crashed runner's registration lapses
 * after `ttlMs`. Failures are reported, never thrown: the registration only
 * explains why tasks wait, routing does not depend on it.
 *
 * @example
 * ```ts
 * const announcer = new RunnerAnnouncer(registry, { runnerId, cluster, identifiers, kind: 'process' }, warn);
 * await announcer.start();
 * await announcer.stop();
 * ```
 */
export class RunnerAnnouncer {
  readonly #registry: RunnerRegistry;
  readonly #announcement: RunnerAnnouncement & { readonly kind: RunnerRegistration['kind'] };
  readonly #onError: (error: unknown) => void;
  readonly #ttlMs: number;
  readonly #refreshMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    registry: RunnerRegistry,
    announcement: RunnerAnnouncement & { readonly kind: RunnerRegistration['kind'] },
    onError: (error: unknown) => void,
    { ttlMs = PROCESS_RUNNER_TTL_MS, refreshMs = PROCESS_RUNNER_REFRESH_MS } = {},
  ) {
    this.#registry = registry;
    this.#announcement = announcement;
    this.#onError = onError;
    this.#ttlMs = ttlMs;
    this.#refreshMs = refreshMs;
  }

  async start(): Promise<void> {
    await this.#announce();
    this.#timer = setInterval(() => void this.#announce(), this.#refreshMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#registry
      .withdraw(this.#announcement.cluster, this.#announcement.runnerId)
      .catch(this.#onError);
  }

  #announce(): Promise<void> {
    return this.#registry.announce(this.#announcement, this.#ttlMs).catch(this.#onError);
  }
}
