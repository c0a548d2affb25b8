import { parseTriggerJson, type TriggerJson } from '../core/jobs/trigger-payload.js';
import type { JobStore, StoredJob } from '../core/ports/job-store.js';
import { decodeTrigger, type Trigger, type TriggerEnvironment } from './triggers.js';

/** Job contexts remembered; a job's trigger never changes, so the bound only limits memory. */
const TRIGGER_CACHE_SIZE = 256;

/** The parts of a job item its context is made of (what a claim returns with the task). */
type KnownJob = Pick<StoredJob, 'triggerJson' | 'automationId' | 'name'>;

/** What a runner knows about the job of a task before it runs it. */
export interface JobContext {
  /** The live trigger; undefined for jobs submitted by hand or with free-form trigger data. */
  readonly trigger: Trigger | undefined;
  /**
   * The job's correlation keys for log lines: `automation` for jobs an
   * automation submitted, and the trigger's `bucket`, `key` (storage events),
   * `batchId` and `prefix` (batches).
   */
  readonly logKeys: Readonly<Record<string, string>>;
}

/**
 * The context (live trigger, log keys) of each job a runner works on, read
 * once per job from the job store (one GetItem), or taken from a claim that
 * returned the job item, and kept for the job's other tasks.
 *
 * @example
 * ```ts
 * const jobs = new JobTriggerCache(store, { storage: (location) => storageFor(location) });
 * const { trigger, logKeys } = await jobs.get(jobId); // trigger undefined for jobs submitted by hand
 * ```
 */
export class JobTriggerCache {
  readonly #jobs: JobStore;
  readonly #environment: TriggerEnvironment | undefined;
  readonly #contexts = new Map<string, Promise<JobContext>>();

  constructor(jobs: JobStore, environment?: TriggerEnvironment) {
    this.#jobs = jobs;
    this.#environment = environment;
  }

  get(jobId: string): Promise<JobContext> {
    const cached = this.#contexts.get(jobId);
    if (cached) return cached;
    const context = this.#jobs.findJob(jobId).then((job) => this.#contextOf(job));
    context.catch(() => this.#contexts.delete(jobId));
    this.#keep(jobId, context);
    return context;
  }

  /** Keeps a job's context read by other means (a claim that returned the job item). */
  remember(jobId: string, job: KnownJob): void {
    if (!this.#contexts.has(jobId)) this.#keep(jobId, Promise.resolve(this.#contextOf(job)));
  }

  #keep(jobId: string, context: Promise<JobContext>): void {
    this.#contexts.set(jobId, context);
    if (this.#contexts.size > TRIGGER_CACHE_SIZE) {
      const oldest = this.#contexts.keys().next().value;
      if (oldest !== undefined) this.#contexts.delete(oldest);
    }
  }

  #contextOf(job: KnownJob | undefined): JobContext {
    const automation: Record<string, string> =
      job?.automationId && job.name ? { automation: job.name } : {};
    if (!job?.triggerJson) return { trigger: undefined, logKeys: automation };
    try {
      const json = parseTriggerJson(JSON.parse(job.triggerJson));
      return {
        trigger: decodeTrigger(json, this.#environment),
        logKeys: { ...automation, ...triggerLogKeys(json) },
      };
    } catch {
      // Jobs submitted with free-form trigger data have no typed trigger.
      return { trigger: undefined, logKeys: automation };
    }
  }
}

/** The keys of a trigger that find its jobs' log lines: the object, or the batch. */
function triggerLogKeys(trigger: TriggerJson): Record<string, string> {
  switch (trigger.kind) {
    case 'storage':
      return { bucket: trigger.bucket, key: trigger.key };
    case 'batch':
      return { bucket: trigger.bucket, batchId: trigger.batchId, prefix: trigger.prefix };
    case 'cron':
      return { fireTime: trigger.fireTime };
  }
}
