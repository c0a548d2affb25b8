import { mapConcurrent } from '../../lambdas/core/collections.js';
import { acceptsNewWork } from '../../lambdas/core/jobs/task-state.js';
import type { JobStore, StoredJob } from '../../lambdas/core/ports/job-store.js';
import { JOB_POLL_MS } from './dev-constants.js';

/** Jobs followed at once; older ones are dropped (the console and the CLI still show them). */
const MAX_TRACKED = 1_000;
/** Jobs reported as finished, remembered so a late check does not report one twice. */
const MAX_REPORTED = 5_000;
/** Job reads in flight at once per poll. */
const POLL_CONCURRENCY = 8;

export interface JobTrackerOptions {
  readonly jobs: Pick<JobStore, 'findJob'>;
  /** Called once per job when it reaches COMPLETED, FAILED or CANCELLED. */
  readonly onFinished: (job: StoredJob) => void;
  readonly onError?: (error: unknown) => void;
  /** @default 1000 */
  readonly periodMs?: number;
}

/**
 * Follows jobs until they finish, for the live log: jobs seen submitted are
 * polled every second (they may run on runners in other processes), and a
 * job whose task just finished here is checked at once.
 *
 * @example
 * ```ts
 * const tracker = new JobTracker({ jobs, onFinished: (job) => console.log(job.jobId, job.state) });
 * tracker.start();
 * tracker.track(jobId);
 * ```
 */
export class JobTracker {
  readonly #options: JobTrackerOptions;
  readonly #tracked = new Set<string>();
  readonly #reported = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = true;

  constructor(options: JobTrackerOptions) {
    this.#options = options;
  }

  track(jobId: string): void {
    if (this.#reported.has(jobId)) return;
    this.#tracked.add(jobId);
    if (this.#tracked.size > MAX_TRACKED) {
      const oldest = this.#tracked.values().next().value;
      if (oldest !== undefined) this.#tracked.delete(oldest);
    }
  }

  /** Reads the job now; reports it if it finished, else follows it. */
  async check(jobId: string): Promise<void> {
    if (this.#reported.has(jobId)) return;
    try {
      const job = await this.#options.jobs.findJob(jobId);
      if (job && !acceptsNewWork(job.state)) this.#report(job);
      else if (job) this.track(jobId);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#polling;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#polling = mapConcurrent([...this.#tracked], POLL_CONCURRENCY, (jobId) =>
        this.check(jobId),
      ).then(() => this.#schedule());
    }, this.#options.periodMs ?? JOB_POLL_MS);
  }

  #report(job: StoredJob): void {
    if (this.#reported.has(job.jobId)) return;
    this.#tracked.delete(job.jobId);
    this.#reported.add(job.jobId);
    if (this.#reported.size > MAX_REPORTED) {
      const oldest = this.#reported.values().next().value;
      if (oldest !== undefined) this.#reported.delete(oldest);
    }
    this.#options.onFinished(job);
  }
}
