import { parseTriggerJson } from '../core/jobs/trigger-payload.js';
import type { JobStore } from '../core/ports/job-store.js';
import { decodeTrigger, type Trigger, type TriggerEnvironment } from './triggers.js';

/** Job triggers remembered; a trigger never changes, so the bound only limits memory. */
const TRIGGER_CACHE_SIZE = 256;

/**
 * The live trigger of each job a runner works on, read once per job from the
 * job store (one GetItem), or taken from a claim that returned the job item,
 * and kept for the job's other tasks.
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
    const trigger = this.#jobs.findJob(jobId).then((job) => this.#decode(job?.triggerJson));
    trigger.catch(() => this.#triggers.delete(jobId));
    this.#keep(jobId, trigger);
    return trigger;
  }

  /** Keeps a job's trigger read by other means (a claim that returned the job item). */
  remember(jobId: string, triggerJson: string | undefined): void {
    if (!this.#triggers.has(jobId)) this.#keep(jobId, Promise.resolve(this.#decode(triggerJson)));
  }

  #decode(triggerJson: string | undefined): Trigger | undefined {
    if (!triggerJson) return undefined;
    try {
      return decodeTrigger(parseTriggerJson(JSON.parse(triggerJson)), this.#environment);
    } catch {
      // Jobs submitted with free-form trigger data have no typed trigger.
      return undefined;
    }
  }

  #keep(jobId: string, trigger: Promise<Trigger | undefined>): void {
    this.#triggers.set(jobId, trigger);
    if (this.#triggers.size > TRIGGER_CACHE_SIZE) {
      const oldest = this.#triggers.keys().next().value;
      if (oldest !== undefined) this.#triggers.delete(oldest);
    }
  }
}
