import { formatTaskIdentifier } from '../../../lambdas/core/jobs/task-identifier.js';
import type { TaskState } from '../../../lambdas/core/jobs/task-state.js';
import { TRIGGER_INPUT_KEY } from '../../../lambdas/core/jobs/trigger-payload.js';
import type { StoredTask } from '../../../lambdas/core/ports/job-store.js';
import { buildJobTree, MAX_VISUALIZED_TASKS } from '../../../lambdas/sdk/job-tree.js';
import { jobToSvg } from '../../../lambdas/sdk/job-visualization.js';
import type { LogRecord } from '../../../lambdas/sdk/task-logger.js';
import {
  type AttemptView,
  attemptsOf,
  type LogLineView,
  logLines,
  MAX_LOG_LINES,
} from './console-attempts.js';
import { type JobView, jobView } from './console-jobs-api.js';
import { automationsById, type ConsoleSources, displayLines, findJob } from './console-sources.js';
import { type TriggerView, triggerDetail } from './console-triggers.js';

/** Characters of a task input a job view shows. */
export const MAX_INPUT_CHARS = 4000;

/** A task of `GET /api/jobs/:id`, in tree order (parents before their subtasks). */
export interface TaskView {
  readonly taskId: string;
  readonly parentId: string | null;
  readonly depth: number;
  readonly identifier: string;
  readonly state: TaskState;
  /** May hold line breaks; other control characters are escaped. */
  readonly display: string;
  readonly cluster: string;
  readonly dependsOn: readonly string[];
  /** The input as indented JSON, the trigger left out (the job view shows it). */
  readonly input: string;
  /** The input was longer than {@link MAX_INPUT_CHARS} and is cut there. */
  readonly inputTruncated: boolean;
  readonly attempts: readonly AttemptView[];
  readonly maxRetries: number;
  readonly retries: number;
  readonly leaseExpiries: number;
  readonly leaseExpiresAt: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** `GET /api/jobs/:id`: the job, what triggered it, its tasks with their attempts, its log. */
export interface JobDetailView {
  readonly now: number;
  readonly job: JobView;
  readonly trigger: TriggerView | null;
  readonly tasks: readonly TaskView[];
  /** The job's task log lines, oldest first; the newest {@link MAX_LOG_LINES} of them. */
  readonly logs: readonly LogLineView[];
  /** Why lines may be missing: no task log, or more lines than shown; null otherwise. */
  readonly logsNote: string | null;
  /** The task tree as SVG; null when the job has more tasks than a diagram shows. */
  readonly svg: string | null;
  /** Why there is no diagram. */
  readonly svgNote: string | null;
}

/** One job with its trigger, tasks in tree order, attempts, log and diagram; 404 for an unknown id. */
export async function jobDetail(sources: ConsoleSources, jobId: string): Promise<JobDetailView> {
  const job = await findJob(sources, jobId);
  const [tasks, automations, lines, trigger] = await Promise.all([
    sources.client.jobs.tasks(jobId),
    automationsById(sources),
    sources.taskLogs?.({ jobId }) ?? Promise.resolve(undefined),
    triggerDetail(job, sources.batches),
  ]);
  // Job and tasks come from one read, so the diagram and the table always agree.
  const tree = buildJobTree(job, tasks, { maxTasks: Math.max(tasks.length, 1) });
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const drawable = tasks.length <= MAX_VISUALIZED_TASKS;
  const failed = tasks.find((task) => task.state === 'FAILED' && task.lastError);
  return {
    now: sources.now(),
    job: jobView(job, automations, failed?.lastError ?? null),
    trigger,
    tasks: tree.nodes.flatMap((node) => {
      const task = byId.get(node.task.taskId);
      return task ? [taskView(task, node.depth, lines ?? [])] : [];
    }),
    logs: logLines(lines ?? []),
    logsNote: logsNote(lines),
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

function logsNote(lines: readonly LogRecord[] | undefined): string | null {
  if (lines === undefined) {
    return 'this console reads no task log, so attempts show only what the job store records';
  }
  if (lines.length > MAX_LOG_LINES) {
    return `the newest ${MAX_LOG_LINES} of ${lines.length} lines; bucketflow jobs logs prints them all`;
  }
  return null;
}

function taskView(task: StoredTask, depth: number, lines: readonly LogRecord[]): TaskView {
  const input = inputText(task.inputJson);
  return {
    taskId: task.taskId,
    parentId: task.parentId,
    depth,
    identifier: formatTaskIdentifier(task.identifier),
    state: task.state,
    display: displayLines(task.display),
    cluster: task.cluster,
    dependsOn: task.dependsOn,
    input: input.slice(0, MAX_INPUT_CHARS),
    inputTruncated: input.length > MAX_INPUT_CHARS,
    attempts: attemptsOf(task, lines),
    maxRetries: task.maxRetries,
    retries: task.retries,
    leaseExpiries: task.leaseExpiries,
    leaseExpiresAt: task.state === 'RUNNING' ? (task.leaseExpiresAt ?? null) : null,
    lastError: task.lastError ? displayLines(task.lastError) : null,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}

/** The input as indented JSON without the trigger, which trigger tasks carry in it. */
function inputText(inputJson: string): string {
  let value: unknown;
  try {
    value = JSON.parse(inputJson);
  } catch {
    return displayLines(inputJson);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { [TRIGGER_INPUT_KEY]: _trigger, ...fields } = value as Record<string, unknown>;
    value = fields;
  }
  return displayLines(JSON.stringify(value, null, 2));
}
