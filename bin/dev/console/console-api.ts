import type {
  AutomationKind,
  BatchTrigger,
} from '../../../lambdas/core/automations/automation-spec.js';
import type { TaskStateCounts } from '../../../lambdas/core/jobs/job-counts.js';
import { formatTaskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import type { JobState, TaskState } from '../../../lambdas/core/jobs/task-state.js';
import { isUlid } from '../../../lambdas/core/jobs/ulid.js';
import type { Automation } from '../../../lambdas/core/ports/automation-store.js';
import type { BatchStore } from '../../../lambdas/core/ports/batch-store.js';
import type { StoredJob, StoredTask } from '../../../lambdas/core/ports/job-store.js';
import type { Client } from '../../../lambdas/sdk/client.js';
import { buildJobTree, MAX_VISUALIZED_TASKS } from '../../../lambdas/sdk/job-tree.js';
import { jobToSvg } from '../../../lambdas/sdk/job-visualization.js';
import { ConsoleRequestError } from './errors.js';

/** How far back the jobs list looks: the job index is bucketed by month, so one or two Queries. */
export const RECENT_JOBS_WINDOW_MS = 31 * 24 * 3_600_000;
/** Jobs listed when `?limit` is left out. */
export const DEFAULT_JOBS_LIMIT = 50;
/** Open batches listed per poll. */
export const OPEN_BATCHES_LIMIT = 200;
/** Stuck batches listed per poll. */
export const STUCK_BATCHES_LIMIT = 100;
/** Largest `?limit` of the jobs list (the job store's page size). */
export const MAX_JOBS_LIMIT = 1000;

/** What the console reads; `now` is read per request so tests can fix it. */
export interface ConsoleSources {
  readonly client: Client;
  readonly batches: BatchStore;
  readonly now: () => number;
}

/** An automation as `GET /api/automations` lists it. */
export interface AutomationView {
  readonly id: string;
  readonly name: string;
  readonly kind: AutomationKind;
  readonly cluster: string;
  readonly enabled: boolean;
  readonly createdAt: number;
  /** `name@vX.Y` of the root task; null for a batch automation that only emits events. */
  readonly task: string | null;
  readonly triggers: Automation['triggers'];
  /** One readable line per trigger, e.g. `demo: **.txt` or `'* * * * *' UTC`. */
  readonly summary: readonly string[];
}

/** An open batch as `GET /api/batches` lists it. Times are epoch ms. */
export interface OpenBatchView {
  readonly batchId: string;
  readonly automationId: string;
  /** Null when the automation was deleted while its batch was open. */
  readonly automation: string | null;
  /** The storage location the automation batches; null when unknown. */
  readonly location: string | null;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  /** The count that closes it at once; null when the automation is unknown. */
  readonly countThreshold: number | null;
  readonly firstEventAt: number;
  readonly lastEventAt: number;
  readonly ageMs: number;
  readonly dueAt: number;
  readonly dueReason: 'quiet' | 'max-age';
}

/** A job as `GET /api/jobs` lists it. */
export interface JobView {
  readonly jobId: string;
  readonly name: string;
  readonly state: JobState;
  readonly cluster: string;
  readonly automationId: string | null;
  readonly automation: string | null;
  readonly taskCount: number;
  readonly counts: TaskStateCounts;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A task of `GET /api/jobs/:id`, in tree order (parents before their subtasks). */
export interface TaskView {
  readonly taskId: string;
  readonly parentId: string | null;
  readonly depth: number;
  readonly identifier: string;
  readonly state: TaskState;
  readonly display: string;
  readonly attempts: number;
  readonly cluster: string;
  readonly dependsOn: readonly string[];
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** `GET /api/jobs/:id`: the job, its tasks and its diagram. */
export interface JobDetailView {
  readonly job: JobView;
  readonly tasks: readonly TaskView[];
  /** The task tree as SVG; null when the job has more tasks than a diagram shows. */
  readonly svg: string | null;
  /** Why there is no diagram. */
  readonly svgNote: string | null;
}

/** Every automation, enabled or not, oldest first. */
export async function listAutomations(sources: ConsoleSources) {
  const automations = await sources.client.automations.list({ includeDisabled: true });
  return { automations: automations.map(automationView) };
}

/** Open batches with their automation's name and location, earliest deadline first. */
export async function listOpenBatches(sources: ConsoleSources) {
  const [open, automations] = await Promise.all([
    sources.batches.listOpen(OPEN_BATCHES_LIMIT),
    automationsById(sources),
  ]);
  const now = sources.now();
  const batches = open.map((batch): OpenBatchView => {
    const automation = automations.get(batch.automationId);
    const trigger: BatchTrigger | undefined = automation?.triggers.batch;
    return {
      batchId: batch.batchId,
      automationId: batch.automationId,
      automation: automation?.name ?? null,
      location: trigger?.location ?? null,
      bucket: batch.bucket,
      prefix: batch.prefix,
      count: batch.count,
      countThreshold: trigger?.count ?? null,
      firstEventAt: batch.firstEventAt,
      lastEventAt: batch.lastEventAt,
      ageMs: Math.max(0, now - batch.firstEventAt),
      dueAt: batch.dueAt,
      dueReason: batch.dueReason,
    };
  });
  return { now, batches };
}

/** A closed batch whose dispatch failed, as `GET /api/batches/stuck` lists it. Times are epoch ms. */
export interface StuckBatchView {
  readonly batchId: string;
  readonly automationId: string;
  /** Null when the automation was deleted. */
  readonly automation: string | null;
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly reason: string;
  /** When the batch closed (processing time). */
  readonly closedAt: number;
  readonly attempts: number;
  /** First line of the last error. */
  readonly error: string;
  /** When the sweep tries again. */
  readonly retryAt: number | null;
}

/**
 * Closed batches whose dispatch failed at least once and that are not
 * dispatched yet, oldest first: what `bucketflow batch stuck` lists.
 */
export async function listStuckBatches(sources: ConsoleSources) {
  const [stuck, automations] = await Promise.all([
    sources.client.batches.stuck(STUCK_BATCHES_LIMIT),
    automationsById(sources),
  ]);
  const batches = stuck.map(
    (batch): StuckBatchView => ({
      batchId: batch.batchId,
      automationId: batch.automationId,
      automation: automations.get(batch.automationId)?.name ?? null,
      bucket: batch.bucket,
      prefix: batch.prefix,
      count: batch.count,
      reason: batch.reason,
      closedAt: batch.writtenAt,
      attempts: batch.attempts,
      error: (batch.lastError ?? '').split('\n')[0] ?? '',
      retryAt: batch.retryAt ?? null,
    }),
  );
  return { now: sources.now(), batches };
}

/** The jobs submitted in the last {@link RECENT_JOBS_WINDOW_MS}, newest first. */
export async function listRecentJobs(sources: ConsoleSources, limitText: string | null) {
  const limit = parseLimit(limitText);
  const now = sources.now();
  const [page, automations] = await Promise.all([
    sources.client.jobs.query({
      from: Math.max(0, now - RECENT_JOBS_WINDOW_MS),
      to: now + 1,
      limit,
    }),
    automationsById(sources),
  ]);
  return { now, jobs: page.jobs.map((job) => jobView(job, automations)) };
}

/** One job with its tasks in tree order and its diagram; 404 for an unknown id. */
export async function jobDetail(sources: ConsoleSources, jobId: string): Promise<JobDetailView> {
  const job = await findJob(sources, jobId);
  const [tasks, automations] = await Promise.all([
    sources.client.jobs.tasks(jobId),
    automationsById(sources),
  ]);
  // Job and tasks come from one read, so the diagram and the table always agree.
  const tree = buildJobTree(job, tasks, { maxTasks: Math.max(tasks.length, 1) });
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const drawable = tasks.length <= MAX_VISUALIZED_TASKS;
  return {
    job: jobView(job, automations),
    tasks: tree.nodes.flatMap((node) => {
      const task = byId.get(node.task.taskId);
      return task ? [taskView(task, node.depth)] : [];
    }),
    svg: drawable ? jobToSvg(job, tasks) : null,
    svgNote: drawable
      ? null
      : `${tasks.length} tasks: more than the ${MAX_VISUALIZED_TASKS} a diagram shows; see the table`,
  };
}

/** Cancels the job's unfinished tasks. */
export async function cancelJob(sources: ConsoleSources, jobId: string) {
  await findJob(sources, jobId);
  const result = await sources.client.jobs.cancel(jobId);
  return { job: jobView(result.job, await automationsById(sources)), cancelled: result.cancelled };
}

/** Requeues the job's failed and cancelled tasks. */
export async function retryJob(sources: ConsoleSources, jobId: string) {
  await findJob(sources, jobId);
  const result = await sources.client.jobs.retry(jobId);
  return { job: jobView(result.job, await automationsById(sources)), requeued: result.requeued };
}

async function findJob(sources: ConsoleSources, jobId: string): Promise<StoredJob> {
  if (!isUlid(jobId)) {
    throw new ConsoleRequestError(400, `job id '${jobId}' is not a job id (26-character ULID)`);
  }
  const job = await sources.client.jobs.find(jobId);
  if (job === undefined) throw new ConsoleRequestError(404, `job ${jobId}: not found`);
  return job;
}

function parseLimit(text: string | null): number {
  if (text === null) return DEFAULT_JOBS_LIMIT;
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_JOBS_LIMIT)) {
    throw new ConsoleRequestError(
      400,
      `limit: '${text}' is not an integer from 1 to ${MAX_JOBS_LIMIT} (e.g. ?limit=${DEFAULT_JOBS_LIMIT})`,
    );
  }
  return limit;
}

async function automationsById(sources: ConsoleSources): Promise<Map<string, Automation>> {
  const automations = await sources.client.automations.list({ includeDisabled: true });
  return new Map(automations.map((automation) => [automation.id, automation]));
}

function automationView(automation: Automation): AutomationView {
  return {
    id: automation.id,
    name: automation.name,
    kind: automation.kind,
    cluster: automation.cluster,
    enabled: automation.enabled,
    createdAt: automation.createdAt,
    task: automation.task ? formatTaskIdentifier(automation.task.identifier) : null,
    triggers: automation.triggers,
    summary: summarise(automation.triggers),
  };
}

function summarise(triggers: Automation['triggers']): string[] {
  const storage = triggers.storage.map((trigger) => `${trigger.location}: ${trigger.glob}`);
  const cron = triggers.cron.map(
    (trigger) => `'${trigger.expression}' ${trigger.timezone}, catch-up ${trigger.catchUp}`,
  );
  const batch = triggers.batch;
  const batches = batch
    ? [
        [
          `${batch.location}, prefix depth ${batch.prefixDepth}`,
          `closes at ${batch.count} objects`,
          `or ${batch.quietSeconds} s quiet`,
          ...(batch.maxAgeSeconds === undefined ? [] : [`or ${batch.maxAgeSeconds} s old`]),
          ...(batch.marker === undefined ? [] : [`or at marker ${batch.marker}`]),
          ...(batch.ignore.length > 0 ? [`ignores ${batch.ignore.join(', ')}`] : []),
          [batch.emitEvent ? 'event' : '', batch.submitJob ? 'job' : '']
            .filter(Boolean)
            .join(' + ') || 'nothing on close',
        ].join(', '),
      ]
    : [];
  return [...storage, ...cron, ...batches];
}

function jobView(job: StoredJob, automations: ReadonlyMap<string, Automation>): JobView {
  return {
    jobId: job.jobId,
    name: job.name,
    state: job.state,
    cluster: job.cluster,
    automationId: job.automationId ?? null,
    automation: job.automationId ? (automations.get(job.automationId)?.name ?? null) : null,
    taskCount: job.taskCount,
    counts: job.counts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

function taskView(task: StoredTask, depth: number): TaskView {
  return {
    taskId: task.taskId,
    parentId: task.parentId,
    depth,
    identifier: formatTaskIdentifier(task.identifier),
    state: task.state,
    display: task.display,
    attempts: task.attempts,
    cluster: task.cluster,
    dependsOn: task.dependsOn,
    lastError: task.lastError ?? null,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}
