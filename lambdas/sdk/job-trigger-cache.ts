import { parseTriggerJson } from '../core/jobs/trigger-payload.js';
import type { JobStore } from '../core/ports/job-store.js';
import { decodeTrigger, type Trigger, type TriggerEnvironment } from './triggers.js';

/** Job triggers remembered; a trigger never changes, so the bound only limits memory. */
const TRIGGER_CACHE_SIZE = 256;

/**
 * The live trigger of each job a runner works on, read once per job from the
 * job store (one GetItem) and kept for the job's other tasks.
 *
 * @example
 * ```ts
 * const triggers = new JobTriggerCache(jobs, { storage: (location) => storageFor(location) });
 * const trigger = await triggers.get(jobId); // undefined for jobs submitted by hand
 * ```
 */
export class JobTriggerCache {
  readonly #jobs: JobStore;
  readonly #environment: TriggerEnvironment | undefined;
  readonly #triggers = new Map<string, Promise<Trigger | undefined>>();

  constructor(jobs: JobStore, environment?: TriggerEnvironment) {
    this.#jobs = jobs;
    this.#environment = environment;
  }

  get(jobId: string): Promise<Trigger | undefined> {
    const cached = this.#triggers.get(jobId);
    if (cached) return cached;
    const trigger = this.#jobs.findJob(jobId).then((job) => {
      if (!job?.triggerJson) return undefined;
      try {
        return decodeTrigger(parseTriggerJson(JSON.parse(job.triggerJson)), this.#environment);
      } catch {
        // Jobs submitted with free-form trigger data have no typed trigger.
        return undefined;
      }
    });
    trigger.catch(() => this.#triggers.delete(jobId));
    this.#triggers.set(jobId, trigger);
    if (this.#triggers.size > TRIGGER_CACHE_SIZE) {
      const oldest = this.#triggers.keys().next().value;
      if (oldest !== undefined) this.#triggers.delete(oldest);
    }
    return trigger;
  }
}
