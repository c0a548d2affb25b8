import type { AutomationStore } from '../core/ports/automation-store.js';
import type {
  CancelJobResult,
  JobPage,
  JobStore,
  RetryJobResult,
  StoredJob,
  StoredTask,
} from '../core/ports/job-store.js';
import type { TaskQueue } from '../core/ports/task-queue.js';
import { UnknownClusterError } from './errors.js';
import { jobToMermaid, jobToSvg } from './job-visualization.js';
import type { AnyTask } from './task.js';

/** Options of {@link ClientJobs.submit}. */
export interface SubmitOptions {
  /** Cluster slug. @default the default cluster */
  readonly cluster?: string | undefined;
  readonly maxRetries?: number | undefined;
}

/** A time range of job submissions; both ends are `Date`s or epoch ms. */
export interface ClientJobQuery {
  readonly from: Date | number;
  readonly to: Date | number;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
  /** Only jobs this automation submitted. */
  readonly automationId?: string | undefined;
}

/**
 * Resolves a cluster slug (the default cluster when left out) and throws
 * {@link UnknownClusterError} when no such cluster exists.
 */
export async function resolveCluster(
  automations: AutomationStore,
  cluster: string | undefined,
  field = 'cluster',
): Promise<string> {
  if (cluster === undefined) return (await automations.defaultCluster()).slug;
  if ((await automations.findCluster(cluster)) === undefined) {
    throw new UnknownClusterError(
      field,
      `unknown cluster '${cluster}'`,
      'create it with client.clusters.create(name) and use the slug it returns, or leave it out for the default cluster',
    );
  }
  return cluster;
}

/**
 * Submits, inspects, cancels and retries jobs; reached as `client.jobs`.
 *
 * @example
 * ```ts
 * const job = await client.jobs.submit('resize-once', new Resize({ key: 'a.png' }));
 * console.log(await client.jobs.visualize(job.jobId, 'mermaid'));
 * ```
 */
export class ClientJobs {
  readonly #jobs: JobStore;
  readonly #automations: AutomationStore;
  readonly #queue: TaskQueue;

  constructor(jobs: JobStore, automations: AutomationStore, queue: TaskQueue) {
    this.#jobs = jobs;
    this.#automations = automations;
    this.#queue = queue;
  }

  /**
   * Submits `task` as the root of a new job and sends its runnable tasks.
   * Trigger tasks need `once(...)` first; the cluster must exist.
   */
  async submit(name: string, task: AnyTask, options: SubmitOptions = {}): Promise<StoredJob> {
    // Validate the task before any request, so a bad task costs nothing.
    task.toSpec({ maxRetries: options.maxRetries });
    const cluster = await resolveCluster(this.#automations, options.cluster);
    const submitted = await this.#jobs.submit({
      name,
      root: task.toSpec({ cluster, maxRetries: options.maxRetries }),
    });
    await this.#queue.send(submitted.runnable);
    return submitted.job;
  }

  /** The job, or `undefined` when there is none with this id. */
  find(jobId: string): Promise<StoredJob | undefined> {
    return this.#jobs.findJob(jobId);
  }

  /** Jobs submitted in the range, newest first. */
  query(query: ClientJobQuery): Promise<JobPage> {
    return this.#jobs.queryJobs({
      from: epochMs(query.from),
      to: epochMs(query.to),
      limit: query.limit,
      cursor: query.cursor,
      automationId: query.automationId,
    });
  }

  /** Cancels the job's unfinished tasks; queued messages are then refused by runners. */
  cancel(jobId: string): Promise<CancelJobResult> {
    return this.#jobs.cancelJob(jobId);
  }

  /** Requeues the job's failed and cancelled tasks and sends those now runnable. */
  async retry(jobId: string): Promise<RetryJobResult> {
    const result = await this.#jobs.retryJob(jobId);
    await this.#queue.send(result.runnable);
    return result;
  }

  /** Every task of the job. */
  tasks(jobId: string): Promise<StoredTask[]> {
    return this.#jobs.listTasks(jobId);
  }

  /** The job's task tree as a Mermaid flowchart or a standalone SVG. */
  async visualize(jobId: string, format: 'mermaid' | 'svg' = 'mermaid'): Promise<string> {
    const [job, tasks] = await Promise.all([this.#jobs.getJob(jobId), this.#jobs.listTasks(jobId)]);
    return format === 'svg' ? jobToSvg(job, tasks) : jobToMermaid(job, tasks);
  }
}

function epochMs(value: Date | number): number {
  return value instanceof Date ? value.getTime() : value;
}
