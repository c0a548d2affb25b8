import { type AutomationInput, validateAutomation } from '../core/automations/automation-spec.js';
import type { CatchUpPolicy } from '../core/cron/catch-up.js';
import { ValidationError } from '../core/errors.js';
import { acceptsNewWork } from '../core/jobs/task-state.js';
import type { Automation, AutomationStore } from '../core/ports/automation-store.js';
import { type ClientJobs, resolveCluster } from './client-jobs.js';
import { withOptionNames } from './config-fields.js';
import type { AnyTask } from './task.js';

/** Options of {@link ClientAutomations.createCron}. */
export interface CronAutomationOptions {
  /** IANA time zone of every schedule. @default 'UTC' */
  readonly timezone?: string | undefined;
  readonly catchUp?: CatchUpPolicy | undefined;
}

/** Options of {@link ClientAutomations.createBatch}; `quiet` and `maxAge` are seconds. */
export interface BatchAutomationOptions {
  readonly location: string;
  readonly prefixDepth?: number | undefined;
  readonly count?: number | undefined;
  readonly quiet?: number | undefined;
  readonly maxAge?: number | undefined;
  readonly ignore?: readonly string[] | undefined;
  /** A glob (`_SUCCESS`, `**\/manifest.json`): the object matching it closes its prefix's batch at once. */
  readonly marker?: string | undefined;
  /** Whether the marker object is a member of the batch it closes. @default true */
  readonly markerIsMember?: boolean | undefined;
  readonly emitEvent?: boolean | undefined;
  readonly cluster?: string | undefined;
  /** Submitted once per closed batch; without it the batch only emits its event. */
  readonly task?: AnyTask | undefined;
}

/** Options of {@link ClientAutomations.delete}. */
export interface DeleteAutomationOptions {
  /** Also cancel the unfinished jobs it submitted (see {@link ClientAutomations.cancelJobs}). @default false */
  readonly cancelJobs?: boolean | undefined;
}

/** Options of {@link ClientAutomations.cancelJobs}; times are epoch ms. */
export interface CancelAutomationJobsOptions {
  /** Oldest submission to look at. @default the automation's creation time */
  readonly since?: number | undefined;
  /** @default Date.now() */
  readonly now?: number | undefined;
}

/** Jobs read per query page when cancelling an automation's jobs. */
const CANCEL_PAGE_SIZE = 1000;

/**
 * Creates and manages automations; reached as `client.automations`. Bad
 * triggers surface the core's ValidationErrors unchanged (they name the field).
 *
 * @example
 * ```ts
 * await client.automations.createCron('nightly', cluster.slug, new Report(), ['0 2 * * *']);
 * ```
 */
export class ClientAutomations {
  readonly #store: AutomationStore;
  readonly #jobs: ClientJobs | undefined;

  /** `jobs` is needed only to cancel an automation's jobs. */
  constructor(store: AutomationStore, jobs?: ClientJobs) {
    this.#store = store;
    this.#jobs = jobs;
  }

  /** An automation submitting `task` at every fire time of `schedules` (cron expressions). */
  async createCron(
    name: string,
    cluster: string | undefined,
    task: AnyTask,
    schedules: readonly string[],
    options: CronAutomationOptions = {},
  ): Promise<Automation> {
    return this.#create(
      cronAutomationInput(name, await this.#cluster(cluster), task, schedules, options),
    );
  }

  /** An automation submitting `task` for every new object matching a `[location, glob]` pair. */
  async createStorageEvent(
    name: string,
    cluster: string | undefined,
    task: AnyTask,
    triggers: readonly (readonly [location: string, glob: string])[],
  ): Promise<Automation> {
    return this.#create(storageAutomationInput(name, await this.#cluster(cluster), task, triggers));
  }

  /** An automation grouping new objects by prefix into batches. */
  async createBatch(name: string, options: BatchAutomationOptions): Promise<Automation> {
    const cluster =
      options.cluster === undefined ? undefined : await this.#cluster(options.cluster);
    const input = batchAutomationInput(name, cluster, options);
    // The store validates again; this first check names the options as the caller wrote them.
    withOptionNames(() => validateAutomation(input));
    return this.#create(input);
  }

  /** Every enabled automation; disabled ones too with `includeDisabled`. */
  list(options: { readonly includeDisabled?: boolean } = {}): Promise<Automation[]> {
    return this.#store.list(options);
  }

  find(id: string): Promise<Automation | undefined> {
    return this.#store.find(id);
  }

  /**
   * Whether an automation was deleted. It submits no new jobs; those it
   * submitted run on unless `cancelJobs` is set.
   */
  async delete(id: string, options: DeleteAutomationOptions = {}): Promise<boolean> {
    if (!options.cancelJobs) return this.#store.delete(id);
    const automation = await this.#store.find(id);
    const deleted = await this.#store.delete(id);
    if (automation !== undefined) await this.cancelJobs(id, { since: automation.createdAt });
    return deleted;
  }

  /**
   * Cancels the queued and started jobs the automation submitted (queued
   * tasks stop, running ones finish) and returns their ids. Reads the jobs
   * submitted since `since`, one query page per 1,000 jobs.
   */
  async cancelJobs(id: string, options: CancelAutomationJobsOptions = {}): Promise<string[]> {
    const jobs = this.#jobs;
    if (jobs === undefined) {
      throw new ValidationError(
        'jobs',
        'this ClientAutomations was built without ClientJobs',
        'use client.automations of a Client',
      );
    }
    const since = options.since ?? (await this.#store.find(id))?.createdAt;
    if (since === undefined) {
      throw new ValidationError(
        'since',
        `automation ${id} does not exist, so its creation time is unknown`,
        'pass options.since (epoch ms)',
      );
    }
    const range = { from: since, to: (options.now ?? Date.now()) + 1, automationId: id };
    const cancelled: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await jobs.query({ ...range, limit: CANCEL_PAGE_SIZE, cursor });
      for (const job of page.jobs) {
        if (!acceptsNewWork(job.state)) continue;
        await jobs.cancel(job.jobId);
        cancelled.push(job.jobId);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return cancelled;
  }

  #create(input: AutomationInput): Promise<Automation> {
    return this.#store.create(input);
  }

  #cluster(cluster: string | undefined): Promise<string> {
    return resolveCluster(this.#store, cluster);
  }
}

/**
 * The automation {@link ClientAutomations.createCron} stores, for a cluster
 * slug that is already resolved. Local mode's config file builds the same.
 *
 * @example
 * ```ts
 * validateAutomation(cronAutomationInput('nightly', 'default', new Report(), ['0 2 * * *']));
 * ```
 */
export function cronAutomationInput(
  name: string,
  cluster: string | undefined,
  task: AnyTask,
  schedules: readonly string[],
  options: CronAutomationOptions = {},
): AutomationInput {
  return {
    name,
    cluster,
    task: prototypeOf(task),
    triggers: {
      cron: schedules.map((expression) => ({
        expression,
        timezone: options.timezone,
        catchUp: options.catchUp,
      })),
    },
  };
}

/**
 * The automation {@link ClientAutomations.createStorageEvent} stores, for a resolved cluster slug.
 *
 * @example
 * ```ts
 * storageAutomationInput('texts', 'default', new WordCount(), [['demo', '**.txt']]);
 * ```
 */
export function storageAutomationInput(
  name: string,
  cluster: string | undefined,
  task: AnyTask,
  triggers: readonly (readonly [location: string, glob: string])[],
): AutomationInput {
  return {
    name,
    cluster,
    task: prototypeOf(task),
    triggers: { storage: triggers.map(([location, glob]) => ({ location, glob })) },
  };
}

/**
 * The automation {@link ClientAutomations.createBatch} stores, for a resolved
 * cluster slug (`options.cluster` is ignored).
 *
 * @example
 * ```ts
 * batchAutomationInput('runs', undefined, { location: 'demo', prefixDepth: 2, count: 5 });
 * ```
 */
export function batchAutomationInput(
  name: string,
  cluster: string | undefined,
  options: BatchAutomationOptions,
): AutomationInput {
  return {
    name,
    cluster,
    task: options.task === undefined ? undefined : prototypeOf(options.task),
    triggers: {
      batch: {
        location: options.location,
        prefixDepth: options.prefixDepth,
        count: options.count,
        quietSeconds: options.quiet,
        maxAgeSeconds: options.maxAge,
        ignore: options.ignore,
        marker: options.marker,
        markerIsMember: options.markerIsMember,
        emitEvent: options.emitEvent,
        submitJob: options.task !== undefined,
      },
    },
  };
}

function prototypeOf(task: AnyTask): NonNullable<AutomationInput['task']> {
  const spec = task.toPrototypeSpec();
  return {
    identifier: spec.identifier,
    input: spec.input,
    display: spec.display,
    maxRetries: spec.maxRetries,
  };
}
