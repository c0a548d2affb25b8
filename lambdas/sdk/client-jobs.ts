import type { TaskIdentifier } from '../core/jobs/task-identifier.js';
import { routingProblem } from '../core/jobs/task-routing.js';
import type { AutomationStore } from '../core/ports/automation-store.js';
import type {
  CancelJobResult,
  JobPage,
  JobStore,
  RetryJobResult,
  StoredJob,
  StoredTask,
} from '../core/ports/job-store.js';
import type { RunnerRegistry } from '../core/ports/runner-registry.js';
import type { TaskQueue } from '../core/ports/task-queue.js';

/** Client submits trace through the process's global tracer provider (none: nothing recorded). */
const CLIENT_TRACING = new OtelTracing();

import { OtelTracing } from '../adapters/otel/otel-tracing.js';
import { UnknownClusterError } from './errors.js';
import { jobToMermaid, jobToSvg } from './job-visualization.js';
import type { AnyTask } from './task.js';

/** Options of {@link ClientJobs.submit}. */
export interface SubmitOptions {
  /** Cluster slug. @default the default cluster */
  readonly cluster?: string | undefined;
  readonly maxRetries?: number | undefined;
}

/** A runnable task that waits in its queue, and why no runner takes it, if that is known. */
export interface WaitingTask {
  readonly taskId: string;
  readonly identifier: TaskIdentifier;
  readonly cluster: string;
  /** E.g. `no runner on cluster gpu registered Resize@v1.x`; undefined when a live runner registered it. */
  readonly problem?: string | undefined;
}

/** How long a cluster found to exist is not looked up again by `submit`. */
const CLUSTER_CHECK_TTL_MS = 60_000;

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
  readonly #runners: RunnerRegistry | undefined;
  readonly #clusters = new Map<string, { readonly slug: string; readonly until: number }>();

  constructor(
    jobs: JobStore,
    automations: AutomationStore,
    queue: TaskQueue,
    runners?: RunnerRegistry,
  ) {
    this.#jobs = jobs;
    this.#automations = automations;
    this.#queue = queue;
    this.#runners = runners;
  }

  /**
   * Submits `task` as the root of a new job — or several tasks as its roots
   * (they run independently, or after each other with `dependsOn` indices
   * into the list) — and sends the runnable ones. Trigger tasks need
   * `once(...)` first; the cluster must exist.
   *
   * @example
   * ```ts
   * await client.jobs.submit('two-roots', [new Fetch({ day: 1 }), new Fetch({ day: 2 })]);
   * ```
   */
  async submit(
    name: string,
    task: AnyTask | readonly AnyTask[],
    options: SubmitOptions = {},
  ): Promise<StoredJob> {
    const tasks = Array.isArray(task) ? (task as readonly AnyTask[]) : [task as AnyTask];
    // Validate the tasks before any request, so a bad task costs nothing.
    for (const each of tasks) each.toSpec({ maxRetries: options.maxRetries });
    const cluster = await this.#cluster(options.cluster);
    const specs = tasks.map((each) => each.toSpec({ cluster, maxRetries: options.maxRetries }));
    // A span of its own, child of the caller's current one: the job's attempts nest below it.
    return CLIENT_TRACING.span('submit job', { 'bucketflow.job.name': name }, async (span) => {
      const submitted = await this.#jobs.submit({
        name,
        ...(Array.isArray(task) ? { roots: specs } : { root: specs[0] }),
        traceparent: span.traceparent,
      });
      span.set({ 'bucketflow.job.id': submitted.job.jobId });
      await this.#queue.send(submitted.runnable);
      return submitted.job;
    });
  }

  /**
   * The job's runnable tasks that wait in their queues, each with the reason
   * no runner takes it when the runners' announcements tell one: no live
   * runner on its cluster registered its name and major version, or only
   * older minor versions.
   */
  async waiting(jobId: string): Promise<WaitingTask[]> {
    const tasks = (await this.#jobs.listTasks(jobId)).filter(
      (task) => task.state === 'QUEUED' && task.runnable,
    );
    const clusters = [...new Set(tasks.map((task) => task.cluster))];
    const runners = new Map(
      await Promise.all(
        clusters.map(
          async (cluster) => [cluster, (await this.#runners?.list(cluster)) ?? []] as const,
        ),
      ),
    );
    return tasks.map((task) => ({
      taskId: task.taskId,
      identifier: task.identifier,
      cluster: task.cluster,
      problem: this.#runners ? routingProblem(task, runners.get(task.cluster) ?? []) : undefined,
    }));
  }

  /** The cluster to submit to; one that was found to exist is trusted for a minute. */
  async #cluster(requested: string | undefined): Promise<string> {
    const key = requested ?? '';
    const now = Date.now();
    const cached = this.#clusters.get(key);
    if (cached && cached.until > now) return cached.slug;
    const slug = await resolveCluster(this.#automations, requested);
    this.#clusters.set(key, { slug, until: now + CLUSTER_CHECK_TTL_MS });
    return slug;
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
